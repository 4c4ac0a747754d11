function New-JIMRunProfile {
    <#
    .SYNOPSIS
        Creates a Run Profile for a Connected System.

    .DESCRIPTION
        POST /api/v1/synchronisation/connected-systems/{id}/run-profiles with {name, runType,
        pageSize, partitionId?, filePath?, verifyImportContentHashes?}. A Run Profile defines one
        synchronisation operation: FullImport, DeltaImport, FullSynchronisation,
        DeltaSynchronisation or Export.

        The server checks the run type against the connector's capabilities (for example the JIM
        File Connector has no DeltaImport) and that -PartitionId is a partition of this system; a
        refusal is reported as an error carrying the server's message and its field messages.

    .PARAMETER ConnectedSystemId
        The Connected System's ID (alias Id, so piped Connected System objects bind).

    .PARAMETER ConnectedSystemName
        The Connected System's exact name (case-insensitive; every page of the list is searched).

    .PARAMETER Name
        The Run Profile's name (1-200 characters; duplicates are allowed).

    .PARAMETER RunType
        FullImport, DeltaImport, FullSynchronisation, DeltaSynchronisation or Export (tab completes).

    .PARAMETER PageSize
        How many objects to process per batch, 1-10000. Defaults to 100.

    .PARAMETER PartitionId
        Target one partition of the Connected System (see Get-JIMConnectedSystemPartition).

    .PARAMETER FilePath
        File to read or write, for file-based connectors (at most 500 characters).

    .PARAMETER VerifyImportContentHashes
        Verification Mode: only valid with -RunType FullImport (the server refuses it otherwise).

    .PARAMETER ChangeReason
        Why the change is made (at most 2,000 characters); jim-edge keeps it on the change's activity
        (beyond JIM, whose run-profile requests have no reason).

    .PARAMETER PassThru
        Return the created Run Profile.

    .OUTPUTS
        With -PassThru, the created Run Profile.

    .EXAMPLE
        Connect-JIM -Url "http://127.0.0.1:8080" -ApiKey "jim_ak_..."
        New-JIMRunProfile -ConnectedSystemId 1 -Name "Delta Import" -RunType DeltaImport

        Connects, then creates a Delta Import Run Profile for Connected System 1.

    .EXAMPLE
        New-JIMRunProfile -ConnectedSystemId 1 -Name "Full Import" -RunType FullImport -PageSize 500

        Creates a Full Import Run Profile that processes 500 objects per batch.

    .EXAMPLE
        New-JIMRunProfile -ConnectedSystemId 1 -Name "Import (Users Partition)" -RunType DeltaImport -PartitionId 1

        Creates a Delta Import Run Profile that targets partition 1 only.

    .EXAMPLE
        New-JIMRunProfile -ConnectedSystemName "HR Database" -Name "CSV Import" -RunType FullImport -FilePath "/data/imports/employees.csv"

        Creates a Full Import Run Profile that reads a CSV file, naming the Connected System.

    .EXAMPLE
        $csId = 1
        New-JIMRunProfile -ConnectedSystemId $csId -Name "Full Import" -RunType FullImport
        New-JIMRunProfile -ConnectedSystemId $csId -Name "Delta Import" -RunType DeltaImport
        New-JIMRunProfile -ConnectedSystemId $csId -Name "Full Sync" -RunType FullSynchronisation
        New-JIMRunProfile -ConnectedSystemId $csId -Name "Delta Sync" -RunType DeltaSynchronisation
        New-JIMRunProfile -ConnectedSystemId $csId -Name "Export" -RunType Export

        Creates the usual set of five Run Profiles for one Connected System.

    .EXAMPLE
        New-JIMRunProfile -ConnectedSystemId 1 -Name "Full Import (verify)" -RunType FullImport -VerifyImportContentHashes -PassThru

        Creates a Full Import Run Profile in Verification Mode and returns it.

    .EXAMPLE
        Get-JIMConnectedSystem -Name "LDAP*" | New-JIMRunProfile -Name "Full Sync" -RunType FullSynchronisation

        Creates a Full Sync Run Profile for every Connected System whose name starts with "LDAP".

    .LINK
        Get-JIMRunProfile
        Set-JIMRunProfile
        Remove-JIMRunProfile
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium', DefaultParameterSetName = 'ById')]
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

        [Parameter(Mandatory)]
        [ValidateSet('FullImport', 'DeltaImport', 'FullSynchronisation', 'DeltaSynchronisation', 'Export')]
        [string]$RunType,

        [ValidateRange(1, 10000)]
        [int]$PageSize = 100,

        [int]$PartitionId,

        [string]$FilePath,

        [switch]$VerifyImportContentHashes,

        [ValidateLength(0, 2000)]
        [string]$ChangeReason,

        [switch]$PassThru
    )

    begin { Assert-JIMConnected }

    process {
        try {
            if ($PSCmdlet.ParameterSetName -eq 'ByName') {
                $ConnectedSystemId = (Resolve-JIMConnectedSystem -Name $ConnectedSystemName).id
            }
            $body = [ordered]@{
                name     = $Name
                runType  = $RunType
                pageSize = $PageSize
            }
            if ($PSBoundParameters.ContainsKey('PartitionId')) { $body.partitionId = $PartitionId }
            if ($FilePath) { $body.filePath = $FilePath }
            if ($VerifyImportContentHashes) { $body.verifyImportContentHashes = $true }
            if ($ChangeReason) { $body.changeReason = $ChangeReason }

            if ($PSCmdlet.ShouldProcess("Connected System $ConnectedSystemId", "Create $RunType Run Profile '$Name'")) {
                $result = Invoke-JIMApi -Endpoint "/api/v1/synchronisation/connected-systems/$ConnectedSystemId/run-profiles" `
                    -Method POST -Body $body -ErrorAction Stop
                Write-Verbose "Created Run Profile $($result.id) ($($result.name)) for Connected System $ConnectedSystemId"
                if ($PassThru) { $result }
            }
        }
        catch {
            Write-JIMError -Cmdlet $PSCmdlet -ErrorRecord $_ -Activity 'create Run Profile'
        }
    }
}
