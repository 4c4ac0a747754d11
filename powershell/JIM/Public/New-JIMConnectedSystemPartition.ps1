function New-JIMConnectedSystemPartition {
    <#
    .SYNOPSIS
        Adds a partition to a Connected System (jim-edge; JIM discovers partitions instead).

    .DESCRIPTION
        POST /api/v1/synchronisation/connected-systems/{id}/partitions with {name, externalId,
        selected}. Only connectors that support partitions (e.g. the JIM LDAP Connector) accept it;
        otherwise the server answers 400 and its message is shown.

    .PARAMETER ConnectedSystemId
        The Connected System's ID (also bound from the 'id' of piped Connected System objects).

    .PARAMETER ConnectedSystemName
        The Connected System's exact name (case-insensitive).

    .PARAMETER Name
        The partition's name (1-200 characters, unique within the system).

    .PARAMETER ExternalId
        The partition's identifier in the connected directory, e.g. "OU=Users,DC=corp,DC=example".

    .PARAMETER Selected
        Whether the partition is selected for synchronisation (the server's default is $true).

    .PARAMETER PassThru
        Return the created partition.

    .EXAMPLE
        New-JIMConnectedSystemPartition -ConnectedSystemId 1 -Name "Users" -ExternalId "OU=Users,DC=corp,DC=example"

        Adds a "Users" partition to Connected System 1.

    .EXAMPLE
        New-JIMConnectedSystemPartition -ConnectedSystemName "LDAP" -Name "Groups" -Selected $false -PassThru

        Adds a deselected "Groups" partition and returns it.

    .LINK
        Get-JIMConnectedSystemPartition
        Set-JIMConnectedSystemPartition
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Low', DefaultParameterSetName = 'ById')]
    [OutputType([PSCustomObject])]
    param(
        [Parameter(Mandatory, ParameterSetName = 'ById', ValueFromPipelineByPropertyName)]
        [Alias('Id')]
        [int]$ConnectedSystemId,

        [Parameter(Mandatory, ParameterSetName = 'ByName')]
        [ValidateNotNullOrEmpty()]
        [string]$ConnectedSystemName,

        [Parameter(Mandatory, Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string]$Name,

        [string]$ExternalId,

        [bool]$Selected,

        [switch]$PassThru
    )

    begin { Assert-JIMConnected }

    process {
        try {
            if ($PSCmdlet.ParameterSetName -eq 'ByName') {
                $ConnectedSystemId = (Resolve-JIMConnectedSystem -Name $ConnectedSystemName).id
            }
            $body = [ordered]@{ name = $Name }
            if ($PSBoundParameters.ContainsKey('ExternalId')) { $body.externalId = $ExternalId }
            if ($PSBoundParameters.ContainsKey('Selected')) { $body.selected = $Selected }
            if ($PSCmdlet.ShouldProcess("Connected System $ConnectedSystemId", "Create partition '$Name'")) {
                $result = Invoke-JIMApi -Endpoint "/api/v1/synchronisation/connected-systems/$ConnectedSystemId/partitions" -Method POST -Body $body -ErrorAction Stop
                if ($PassThru) { $result }
            }
        }
        catch {
            Write-JIMError -Cmdlet $PSCmdlet -ErrorRecord $_ -Activity 'create partition'
        }
    }
}
