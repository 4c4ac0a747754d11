function Get-JIMConfigurationChangeHistory {
    <#
    .SYNOPSIS
        Gets the configuration change history of a Connected System, Connector Definition or API key.

    .DESCRIPTION
        JIM's change history: every change to an object is a numbered version with who made it, when
        and why (the change's -ChangeReason). A Connected System's versions include its Run Profiles and
        Partitions: a Run Profile's create, update or delete is a new version of its system.
          (default, -Page/-PageSize)   GET {object}/change-history          one page, newest first
          -All                         every version, newest first
          -Version N                   GET {object}/change-history/N       the snapshot at N (-AsDiff: the diff from N-1)
          -CompareFrom a -CompareTo b  GET {object}/change-history/compare the diff between two versions
        {object} is /api/v1/synchronisation/connected-systems/{id},
        /api/v1/synchronisation/connector-definitions/{id} or /api/v1/apikeys/{guid}. A deleted object's
        history stays readable.

    .PARAMETER Type
        The kind of object: ConnectedSystem, ConnectorDefinition or ApiKey.

    .PARAMETER Id
        The object's ID: an integer, or a GUID for -Type ApiKey.

    .PARAMETER Page
        Page number (default 1).

    .PARAMETER PageSize
        Versions per page, 1-100 (default 25).

    .PARAMETER All
        Read every page.

    .PARAMETER Version
        One version: its snapshot (with -AsDiff, its diff against the version before).

    .PARAMETER CompareFrom
        The older version of a comparison.

    .PARAMETER CompareTo
        The newer version of a comparison.

    .PARAMETER AsDiff
        With -Version: the diff rather than the whole version. With -CompareFrom/-CompareTo: the changed
        settings as flat rows (path, change, old and new value) rather than the diff tree.

    .EXAMPLE
        Get-JIMConfigurationChangeHistory -Type ConnectedSystem -Id 9

        The 25 most recent versions of Connected System 9: version, operation, who, when, reason, summary.

    .EXAMPLE
        Get-JIMConfigurationChangeHistory -Type ConnectedSystem -Id 9 -Version 7 -AsDiff

        What version 7 changed.

    .EXAMPLE
        Get-JIMConfigurationChangeHistory -Type ConnectedSystem -Id 9 -CompareFrom 6 -CompareTo 8 -AsDiff

        Every setting that differs between versions 6 and 8, one row each.

    .EXAMPLE
        Get-JIMConfigurationChangeHistory -Type ApiKey -Id 5f1d3a3e-7b0e-4a8e-b1c2-0d9e8f7a6b5c -All

        Every version of an API key (its snapshots never hold the key).

    .LINK
        Get-JIMActivity
    #>
    [CmdletBinding(DefaultParameterSetName = 'List')]
    [OutputType([PSCustomObject])]
    param(
        [Parameter(Mandatory, Position = 0)]
        [ValidateSet('ConnectedSystem', 'ConnectorDefinition', 'ApiKey')]
        [string]$Type,

        [Parameter(Mandatory, Position = 1, ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string]$Id,

        [Parameter(ParameterSetName = 'List')]
        [ValidateRange(1, [int]::MaxValue)]
        [int]$Page = 1,

        [Parameter(ParameterSetName = 'List')]
        [ValidateRange(1, 100)]
        [int]$PageSize = 25,

        [Parameter(Mandatory, ParameterSetName = 'All')]
        [switch]$All,

        [Parameter(Mandatory, ParameterSetName = 'Version')]
        [ValidateRange(1, [long]::MaxValue)]
        [long]$Version,

        [Parameter(Mandatory, ParameterSetName = 'Compare')]
        [ValidateRange(1, [long]::MaxValue)]
        [long]$CompareFrom,

        [Parameter(Mandatory, ParameterSetName = 'Compare')]
        [ValidateRange(1, [long]::MaxValue)]
        [long]$CompareTo,

        [Parameter(ParameterSetName = 'Version')]
        [Parameter(ParameterSetName = 'Compare')]
        [switch]$AsDiff
    )

    begin { Assert-JIMConnected }

    process {
        try {
            $base = switch ($Type) {
                'ConnectedSystem' {
                    $n = 0
                    if (-not [int]::TryParse($Id, [ref]$n) -or $n -lt 1) { throw [System.ArgumentException]::new("-Id must be a positive integer for -Type $Type.") }
                    "/api/v1/synchronisation/connected-systems/$n"
                }
                'ConnectorDefinition' {
                    $n = 0
                    if (-not [int]::TryParse($Id, [ref]$n) -or $n -lt 1) { throw [System.ArgumentException]::new("-Id must be a positive integer for -Type $Type.") }
                    "/api/v1/synchronisation/connector-definitions/$n"
                }
                'ApiKey' {
                    $g = [guid]::Empty
                    if (-not [guid]::TryParse($Id, [ref]$g)) { throw [System.ArgumentException]::new('-Id must be a GUID for -Type ApiKey.') }
                    "/api/v1/apikeys/$g"
                }
            }
            $endpoint = "$base/change-history"
            switch ($PSCmdlet.ParameterSetName) {
                'All' {
                    Get-JIMPagedItems -Endpoint $endpoint -PageSize 100 -ErrorAction Stop
                }
                'Version' {
                    $result = Invoke-JIMApi -Endpoint "$endpoint/$Version" -ErrorAction Stop
                    if ($AsDiff) { $result.diff } else { $result }
                }
                'Compare' {
                    $query = ConvertTo-JIMQueryString -Query ([ordered]@{ fromVersion = $CompareFrom; toVersion = $CompareTo })
                    $diff = Invoke-JIMApi -Endpoint "$endpoint/compare$query" -ErrorAction Stop
                    if ($AsDiff) { ConvertTo-JIMDiffRows -Node $diff.root } else { $diff }
                }
                default {
                    $query = ConvertTo-JIMQueryString -Query ([ordered]@{ page = $Page; pageSize = $PageSize })
                    $response = Invoke-JIMApi -Endpoint "$endpoint$query" -ErrorAction Stop
                    Write-Verbose "Page $($response.page) of $($response.totalPages) ($($response.totalCount) versions)"
                    $response.items
                }
            }
        }
        catch {
            Write-JIMError -Cmdlet $PSCmdlet -ErrorRecord $_ -Activity 'get configuration change history'
        }
    }
}
