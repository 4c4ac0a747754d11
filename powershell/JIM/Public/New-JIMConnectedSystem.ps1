function New-JIMConnectedSystem {
    <#
    .SYNOPSIS
        Creates a Connected System.

    .DESCRIPTION
        POST /api/v1/synchronisation/connected-systems with {name, connectorDefinitionId,
        description}. The name (1-200 characters) must be unique (case-insensitively). The connector
        can be given by ID or by its exact name.

    .PARAMETER Name
        Name of the new Connected System.

    .PARAMETER ConnectorDefinitionId
        ID of the Connector Definition (see Get-JIMConnectorDefinition).

    .PARAMETER ConnectorDefinitionName
        Exact name of the Connector Definition, e.g. "JIM LDAP Connector".

    .PARAMETER Description
        Optional description (up to 1000 characters).

    .PARAMETER ChangeReason
        Why the change is made (at most 2,000 characters); kept on its Activity and its version of the
        configuration change history.

    .PARAMETER PassThru
        Return the created Connected System.

    .EXAMPLE
        New-JIMConnectedSystem -Name "LDAP" -ConnectorDefinitionId 1

        Creates a Connected System that uses the JIM LDAP Connector.

    .EXAMPLE
        New-JIMConnectedSystem -Name "HR Database" -ConnectorDefinitionName "JIM File Connector" -Description "HR CSV exports" -PassThru

        Creates a Connected System for CSV files and returns it.

    .LINK
        Get-JIMConnectedSystem
        Get-JIMConnectorDefinition
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Low', DefaultParameterSetName = 'ByConnectorId')]
    [OutputType([PSCustomObject])]
    param(
        [Parameter(Mandatory, Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string]$Name,

        [Parameter(Mandatory, ParameterSetName = 'ByConnectorId')]
        [Alias('ConnectorId')]
        [int]$ConnectorDefinitionId,

        [Parameter(Mandatory, ParameterSetName = 'ByConnectorName')]
        [ValidateNotNullOrEmpty()]
        [string]$ConnectorDefinitionName,

        [string]$Description,

        [ValidateLength(0, 2000)]
        [string]$ChangeReason,

        [switch]$PassThru
    )

    begin { Assert-JIMConnected }

    process {
        try {
            if ($PSCmdlet.ParameterSetName -eq 'ByConnectorName') {
                $escaped = [System.Uri]::EscapeDataString($ConnectorDefinitionName)
                $definition = Invoke-JIMApi -Endpoint "/api/v1/synchronisation/connector-definitions/by-name/$escaped" -ErrorAction Stop
                $ConnectorDefinitionId = $definition.id
            }
            $body = [ordered]@{ name = $Name; connectorDefinitionId = $ConnectorDefinitionId }
            if ($PSBoundParameters.ContainsKey('Description')) { $body.description = $Description }
            if ($PSBoundParameters.ContainsKey('ChangeReason')) { $body.changeReason = $ChangeReason }

            if ($PSCmdlet.ShouldProcess($Name, 'Create Connected System')) {
                $result = Invoke-JIMApi -Endpoint '/api/v1/synchronisation/connected-systems' -Method POST -Body $body -ErrorAction Stop
                Write-Verbose "Created Connected System $($result.id) ($($result.name))"
                if ($PassThru) { $result }
            }
        }
        catch {
            Write-JIMError -Cmdlet $PSCmdlet -ErrorRecord $_ -Activity 'create Connected System'
        }
    }
}
