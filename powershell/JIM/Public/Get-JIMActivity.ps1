function Get-JIMActivity {
    <#
    .SYNOPSIS
        Gets Activities: the audit trail of every create, update and delete.

    .DESCRIPTION
        GET /api/v1/activities (paged, newest first) or GET /api/v1/activities/{id}. Each Activity
        has id, created, status, targetType, targetOperationType, targetName, targetContext,
        initiatedByType, initiatedById, initiatedByName, connectedSystemId and
        connectedSystemRunProfileId. -All reads every page.

    .PARAMETER Id
        The Activity's ID (a GUID).

    .PARAMETER ConnectedSystemId
        Only Activities of this Connected System.

    .PARAMETER TargetType
        Only Activities on this kind of object: ConnectedSystem, ConnectedSystemRunProfile,
        ConnectorDefinition, ApiKey or Partition.

    .PARAMETER Search
        Search text passed to the server.

    .PARAMETER Page
        Page number (default 1).

    .PARAMETER PageSize
        Activities per page, 1-100 (default 20).

    .PARAMETER All
        Read every page (ignores -Page).

    .EXAMPLE
        Get-JIMActivity

        Gets the 20 most recent Activities.

    .EXAMPLE
        Get-JIMActivity -ConnectedSystemId 1 -TargetType ConnectedSystemRunProfile -All

        Gets every Run Profile Activity of Connected System 1.

    .EXAMPLE
        Get-JIMActivity -Id "5f1d3a3e-7b0e-4a8e-b1c2-0d9e8f7a6b5c"

        Gets one Activity.

    .LINK
        Get-JIMRunProfile
    #>
    [CmdletBinding(DefaultParameterSetName = 'List')]
    [OutputType([PSCustomObject])]
    param(
        [Parameter(Mandatory, ParameterSetName = 'ById', Position = 0)]
        [guid]$Id,

        [Parameter(ParameterSetName = 'List')]
        [int]$ConnectedSystemId,

        [Parameter(ParameterSetName = 'List')]
        [ValidateSet('ConnectedSystem', 'ConnectedSystemRunProfile', 'ConnectorDefinition', 'ApiKey', 'Partition')]
        [string]$TargetType,

        [Parameter(ParameterSetName = 'List')]
        [string]$Search,

        [Parameter(ParameterSetName = 'List')]
        [ValidateRange(1, [int]::MaxValue)]
        [int]$Page = 1,

        [Parameter(ParameterSetName = 'List')]
        [ValidateRange(1, 100)]
        [int]$PageSize = 20,

        [Parameter(ParameterSetName = 'List')]
        [switch]$All
    )

    begin { Assert-JIMConnected }

    process {
        try {
            if ($PSCmdlet.ParameterSetName -eq 'ById') {
                Invoke-JIMApi -Endpoint "/api/v1/activities/$Id" -ErrorAction Stop
                return
            }
            $query = [ordered]@{}
            if ($PSBoundParameters.ContainsKey('ConnectedSystemId')) { $query.connectedSystemId = $ConnectedSystemId }
            if ($TargetType) { $query.targetType = $TargetType }
            if ($Search) { $query.search = $Search }
            if ($All) {
                Get-JIMPagedItems -Endpoint '/api/v1/activities' -Query $query -PageSize 100 -ErrorAction Stop
                return
            }
            $query.page = $Page
            $query.pageSize = $PageSize
            $response = Invoke-JIMApi -Endpoint ('/api/v1/activities' + (ConvertTo-JIMQueryString -Query $query)) -ErrorAction Stop
            if ($response -and $response.PSObject.Properties.Name -contains 'items') {
                Write-Verbose "Page $($response.page) of $($response.totalPages) ($($response.totalCount) Activities)"
                $response.items
            }
            else {
                $response
            }
        }
        catch {
            Write-JIMError -Cmdlet $PSCmdlet -ErrorRecord $_ -Activity 'get Activities'
        }
    }
}
