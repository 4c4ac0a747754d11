function Get-JIMConnectedSystemPartition {
    <#
    .SYNOPSIS
        Gets the partitions of a Connected System.

    .DESCRIPTION
        GET /api/v1/synchronisation/connected-systems/{id}/partitions. Each partition has id, name,
        externalId, selected and connectedSystemId. Connected System objects can be piped in.

    .PARAMETER ConnectedSystemId
        The Connected System's ID (also bound from the 'id' of piped Connected System objects).

    .PARAMETER ConnectedSystemName
        The Connected System's exact name (case-insensitive).

    .PARAMETER Name
        Filter partitions by name; supports wildcards.

    .EXAMPLE
        Get-JIMConnectedSystemPartition -ConnectedSystemId 1

        Lists the partitions of Connected System 1.

    .EXAMPLE
        Get-JIMConnectedSystem -Name LDAP | Get-JIMConnectedSystemPartition -Name Users

        Gets the "Users" partition of the LDAP system.

    .LINK
        New-JIMConnectedSystemPartition
        Set-JIMConnectedSystemPartition
    #>
    [CmdletBinding(DefaultParameterSetName = 'ById')]
    [OutputType([PSCustomObject])]
    param(
        [Parameter(Mandatory, ParameterSetName = 'ById', Position = 0, ValueFromPipelineByPropertyName)]
        [Alias('Id')]
        [int]$ConnectedSystemId,

        [Parameter(Mandatory, ParameterSetName = 'ByName')]
        [ValidateNotNullOrEmpty()]
        [string]$ConnectedSystemName,

        [SupportsWildcards()]
        [string]$Name
    )

    begin { Assert-JIMConnected }

    process {
        try {
            if ($PSCmdlet.ParameterSetName -eq 'ByName') {
                $ConnectedSystemId = (Resolve-JIMConnectedSystem -Name $ConnectedSystemName).id
            }
            $partitions = Invoke-JIMApi -Endpoint "/api/v1/synchronisation/connected-systems/$ConnectedSystemId/partitions" -ErrorAction Stop
            if ($Name) { $partitions | Where-Object { $_.name -like $Name } } else { $partitions }
        }
        catch {
            Write-JIMError -Cmdlet $PSCmdlet -ErrorRecord $_ -Activity 'get partitions'
        }
    }
}
