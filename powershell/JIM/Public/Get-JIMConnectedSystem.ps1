function Get-JIMConnectedSystem {
    <#
    .SYNOPSIS
        Gets Connected Systems.

    .DESCRIPTION
        Without -Id, lists every Connected System, reading all pages of
        GET /api/v1/synchronisation/connected-systems (100 per page, following hasNextPage).
        -Name filters that list client-side and supports wildcards ("HR*"); the match is
        case-insensitive. -Id gets one Connected System's details (connector, runProfileCount,
        partitionCount, lastUpdated).

        The objects have an 'id' property, so they can be piped to the cmdlets that take
        -ConnectedSystemId (Get-JIMRunProfile, Get-JIMConnectedSystemPartition, ...).

    .PARAMETER Id
        The Connected System's ID.

    .PARAMETER Name
        Name or wildcard pattern to filter by.

    .EXAMPLE
        Get-JIMConnectedSystem

        Lists all Connected Systems.

    .EXAMPLE
        Get-JIMConnectedSystem -Id 1

        Gets the details of Connected System 1.

    .EXAMPLE
        Get-JIMConnectedSystem -Name HR* | Get-JIMRunProfile

        Gets the Run Profiles of every Connected System whose name starts with "HR".

    .LINK
        New-JIMConnectedSystem
        Set-JIMConnectedSystem
        Remove-JIMConnectedSystem
        Get-JIMRunProfile
    #>
    [CmdletBinding(DefaultParameterSetName = 'List')]
    [OutputType([PSCustomObject])]
    param(
        [Parameter(Mandatory, ParameterSetName = 'ById', Position = 0, ValueFromPipelineByPropertyName)]
        [Alias('ConnectedSystemId')]
        [int]$Id,

        [Parameter(ParameterSetName = 'List')]
        [SupportsWildcards()]
        [string]$Name
    )

    begin { Assert-JIMConnected }

    process {
        try {
            if ($PSCmdlet.ParameterSetName -eq 'ById') {
                Invoke-JIMApi -Endpoint "/api/v1/synchronisation/connected-systems/$Id" -ErrorAction Stop
                return
            }
            $items = Get-JIMPagedItems -Endpoint '/api/v1/synchronisation/connected-systems' -ErrorAction Stop
            if ($Name) {
                $items | Where-Object { $_.name -like $Name }
            }
            else {
                $items
            }
        }
        catch {
            Write-JIMError -Cmdlet $PSCmdlet -ErrorRecord $_ -Activity 'get Connected System'
        }
    }
}
