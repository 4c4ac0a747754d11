function Set-JIMConnectedSystemPartition {
    <#
    .SYNOPSIS
        Selects or deselects a partition of a Connected System.

    .DESCRIPTION
        PUT /api/v1/synchronisation/connected-systems/{id}/partitions/{partitionId} with
        {selected}. Run Profiles that target a deselected partition report
        targetsDeselectedPartition = true. Partition objects can be piped in (their
        connectedSystemId and id are used).

    .PARAMETER ConnectedSystemId
        The Connected System's ID.

    .PARAMETER ConnectedSystemName
        The Connected System's exact name (case-insensitive).

    .PARAMETER PartitionId
        The partition's ID (also bound from the 'id' of piped partition objects).

    .PARAMETER Selected
        $true to select the partition, $false to deselect it.

    .PARAMETER PassThru
        Return the updated partition.

    .EXAMPLE
        Set-JIMConnectedSystemPartition -ConnectedSystemId 1 -PartitionId 1 -Selected $false

        Deselects partition 1 of Connected System 1.

    .EXAMPLE
        Get-JIMConnectedSystemPartition -ConnectedSystemId 1 -Name Users | Set-JIMConnectedSystemPartition -Selected $true -PassThru

        Selects the "Users" partition and returns it.

    .LINK
        Get-JIMConnectedSystemPartition
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium', DefaultParameterSetName = 'ById')]
    [OutputType([PSCustomObject])]
    param(
        [Parameter(Mandatory, ParameterSetName = 'ById', ValueFromPipelineByPropertyName)]
        [int]$ConnectedSystemId,

        [Parameter(Mandatory, ParameterSetName = 'ByName')]
        [ValidateNotNullOrEmpty()]
        [string]$ConnectedSystemName,

        [Parameter(Mandatory, ValueFromPipelineByPropertyName)]
        [Alias('Id')]
        [int]$PartitionId,

        [Parameter(Mandatory)]
        [bool]$Selected,

        [switch]$PassThru
    )

    begin { Assert-JIMConnected }

    process {
        try {
            if ($PSCmdlet.ParameterSetName -eq 'ByName') {
                $ConnectedSystemId = (Resolve-JIMConnectedSystem -Name $ConnectedSystemName).id
            }
            $action = if ($Selected) { 'Select partition' } else { 'Deselect partition' }
            if ($PSCmdlet.ShouldProcess("Partition $PartitionId of Connected System $ConnectedSystemId", $action)) {
                $result = Invoke-JIMApi -Endpoint "/api/v1/synchronisation/connected-systems/$ConnectedSystemId/partitions/$PartitionId" `
                    -Method PUT -Body ([ordered]@{ selected = $Selected }) -ErrorAction Stop
                if ($PassThru) { $result }
            }
        }
        catch {
            Write-JIMError -Cmdlet $PSCmdlet -ErrorRecord $_ -Activity 'update partition'
        }
    }
}
