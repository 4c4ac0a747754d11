function Get-JIMRunProfile {
    <#
    .SYNOPSIS
        Gets the Run Profiles of a Connected System.

    .DESCRIPTION
        GET /api/v1/synchronisation/connected-systems/{id}/run-profiles (a plain array, in ID
        order). Each Run Profile has id, name, connectedSystemId, runType, pageSize, partitionId,
        partitionName, targetsDeselectedPartition, filePath and verifyImportContentHashes.

        Connected System objects can be piped in: their 'id' binds to -ConnectedSystemId.

    .PARAMETER ConnectedSystemId
        The Connected System's ID (alias Id, so piped Connected System objects bind).

    .PARAMETER ConnectedSystemName
        The Connected System's exact name (case-insensitive; every page of the list is searched).

    .PARAMETER Name
        Filter Run Profiles by name; supports wildcards ("Full*").

    .EXAMPLE
        Get-JIMRunProfile -ConnectedSystemId 1

        Gets all Run Profiles of Connected System 1.

    .EXAMPLE
        Get-JIMRunProfile -ConnectedSystemName "HR Database"

        Gets all Run Profiles of the Connected System named "HR Database".

    .EXAMPLE
        Get-JIMRunProfile -ConnectedSystemId 1 -Name "Full*"

        Gets the Run Profiles of Connected System 1 whose names start with "Full".

    .EXAMPLE
        Get-JIMConnectedSystem -Name HR* | Get-JIMRunProfile

        Gets the Run Profiles of every Connected System whose name starts with "HR".

    .LINK
        New-JIMRunProfile
        Set-JIMRunProfile
        Remove-JIMRunProfile
        Get-JIMConnectedSystem
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
            $profiles = Invoke-JIMApi -Endpoint "/api/v1/synchronisation/connected-systems/$ConnectedSystemId/run-profiles" -ErrorAction Stop
            foreach ($runProfile in $profiles) {
                if ($Name -and -not ($runProfile.name -like $Name)) { continue }
                $runProfile
            }
        }
        catch {
            Write-JIMError -Cmdlet $PSCmdlet -ErrorRecord $_ -Activity 'get Run Profiles'
        }
    }
}
