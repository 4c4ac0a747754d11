function Get-JIMPagedItems {
    <#
    .SYNOPSIS
        Reads every page of a paginated JIM list (items, totalCount, page, pageSize, totalPages,
        hasNextPage) and emits the items.

    .DESCRIPTION
        Asks for pages of -PageSize (100, the server's maximum) and follows hasNextPage. As a guard
        against a server that never says "no next page", it also stops on an empty page, once
        totalCount items have been read, or after -MaxPages pages.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [string]$Endpoint,

        [hashtable]$Query = @{},

        [ValidateRange(1, 100)]
        [int]$PageSize = 100,

        [int]$MaxPages = 100000
    )

    $page = 1
    $read = 0
    while ($page -le $MaxPages) {
        $q = [ordered]@{}
        foreach ($k in $Query.Keys) { $q[$k] = $Query[$k] }
        $q['page'] = $page
        $q['pageSize'] = $PageSize
        $response = Invoke-JIMApi -Endpoint ($Endpoint + (ConvertTo-JIMQueryString -Query $q))
        if ($null -eq $response) { return }
        $names = $response.PSObject.Properties.Name
        if ($names -notcontains 'items') {
            # Not an envelope (a plain array answer): emit what came back.
            $response
            return
        }
        $items = @($response.items)
        foreach ($item in $items) { $item }
        $read += $items.Count
        $hasNext = if ($names -contains 'hasNextPage') { [bool]$response.hasNextPage }
                   else { $names -contains 'totalCount' -and $read -lt [int]$response.totalCount }
        if (-not $hasNext -or $items.Count -eq 0) { return }
        if ($names -contains 'totalCount' -and $read -ge [int]$response.totalCount) { return }
        $page++
    }
}
