function Get-JIMConnectorDefinition {
    <#
    .SYNOPSIS
        Gets Connector Definitions (the connector types a Connected System can use).

    .DESCRIPTION
        Without parameters, lists every Connector Definition (headers, ordered by name).
        -Id gets one definition with all its capability flags (supportsFullImport,
        supportsDeltaImport, supportsExport, supportsPartitions, supportsFilePaths, ...).
        -Name gets one definition by its exact name; a name with wildcards (* ? [) filters the list
        instead.

    .PARAMETER Id
        The Connector Definition's ID.

    .PARAMETER Name
        The exact name (e.g. "JIM LDAP Connector"), or a wildcard pattern.

    .EXAMPLE
        Get-JIMConnectorDefinition

        Lists all Connector Definitions.

    .EXAMPLE
        Get-JIMConnectorDefinition -Id 1

        Gets Connector Definition 1 with its capabilities.

    .EXAMPLE
        Get-JIMConnectorDefinition -Name "JIM File Connector"

        Gets the File connector by name.

    .EXAMPLE
        Get-JIMConnectorDefinition -Name "*SQL*"

        Lists the Connector Definitions whose names contain "SQL".

    .LINK
        New-JIMConnectedSystem
    #>
    [CmdletBinding(DefaultParameterSetName = 'List')]
    [OutputType([PSCustomObject])]
    param(
        [Parameter(Mandatory, ParameterSetName = 'ById', Position = 0, ValueFromPipelineByPropertyName)]
        [Alias('ConnectorDefinitionId', 'ConnectorId')]
        [int]$Id,

        [Parameter(Mandatory, ParameterSetName = 'ByName')]
        [SupportsWildcards()]
        [ValidateNotNullOrEmpty()]
        [string]$Name
    )

    begin { Assert-JIMConnected }

    process {
        try {
            switch ($PSCmdlet.ParameterSetName) {
                'ById' {
                    Invoke-JIMApi -Endpoint "/api/v1/synchronisation/connector-definitions/$Id" -ErrorAction Stop
                }
                'ByName' {
                    if ([System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters($Name)) {
                        Invoke-JIMApi -Endpoint '/api/v1/synchronisation/connector-definitions' -ErrorAction Stop |
                            Where-Object { $_.name -like $Name }
                    }
                    else {
                        $escaped = [System.Uri]::EscapeDataString($Name)
                        Invoke-JIMApi -Endpoint "/api/v1/synchronisation/connector-definitions/by-name/$escaped" -ErrorAction Stop
                    }
                }
                default {
                    Invoke-JIMApi -Endpoint '/api/v1/synchronisation/connector-definitions' -ErrorAction Stop
                }
            }
        }
        catch {
            Write-JIMError -Cmdlet $PSCmdlet -ErrorRecord $_ -Activity 'get Connector Definition'
        }
    }
}
