function Set-JIMRunProfile {
    <#
    .SYNOPSIS
        Updates a Run Profile.

    .DESCRIPTION
        PUT /api/v1/synchronisation/connected-systems/{id}/run-profiles/{runProfileId} with only
        the given fields: name, pageSize, partitionId, filePath ("" clears it) and
        verifyImportContentHashes. The run type cannot be changed. Run Profile objects can be piped
        in (their connectedSystemId and id are used).

    .PARAMETER ConnectedSystemId
        The Connected System's ID.

    .PARAMETER ConnectedSystemName
        The Connected System's exact name (case-insensitive).

    .PARAMETER RunProfileId
        The Run Profile's ID (alias Id, so piped Run Profile objects bind).

    .PARAMETER InputObject
        A Run Profile object (as returned by Get-JIMRunProfile) to update.

    .PARAMETER Name
        The new name.

    .PARAMETER PageSize
        The new page size, 1-10000.

    .PARAMETER PartitionId
        The partition to target.

    .PARAMETER FilePath
        The new file path; "" clears it.

    .PARAMETER VerifyImportContentHashes
        $true or $false to switch Verification Mode on or off (FullImport profiles only).

    .PARAMETER ChangeReason
        Why the change is made (at most 2,000 characters); jim-edge keeps it on the change's activity
        (beyond JIM, whose run-profile requests have no reason).

    .PARAMETER PassThru
        Return the updated Run Profile.

    .EXAMPLE
        Set-JIMRunProfile -ConnectedSystemId 1 -RunProfileId 2 -PageSize 1000

        Changes the page size of Run Profile 2.

    .EXAMPLE
        Get-JIMRunProfile -ConnectedSystemId 1 -Name "Full Import" | Set-JIMRunProfile -Name "Nightly Full Import" -WhatIf

        Shows what renaming the "Full Import" profiles would do, without doing it.

    .EXAMPLE
        Set-JIMRunProfile -ConnectedSystemName "HR Database" -RunProfileId 7 -FilePath "" -PassThru

        Clears the file path of Run Profile 7 and returns it.

    .LINK
        Get-JIMRunProfile
        New-JIMRunProfile
        Remove-JIMRunProfile
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium', DefaultParameterSetName = 'ById')]
    [OutputType([PSCustomObject])]
    param(
        [Parameter(Mandatory, ParameterSetName = 'ById', ValueFromPipelineByPropertyName)]
        [int]$ConnectedSystemId,

        [Parameter(Mandatory, ParameterSetName = 'ByName')]
        [ValidateNotNullOrEmpty()]
        [string]$ConnectedSystemName,

        [Parameter(Mandatory, ParameterSetName = 'ById', ValueFromPipelineByPropertyName)]
        [Parameter(Mandatory, ParameterSetName = 'ByName')]
        [Alias('Id')]
        [int]$RunProfileId,

        [Parameter(Mandatory, ParameterSetName = 'ByInputObject')]
        [PSCustomObject]$InputObject,

        [ValidateNotNullOrEmpty()]
        [string]$Name,

        [ValidateRange(1, 10000)]
        [int]$PageSize,

        [int]$PartitionId,

        [AllowEmptyString()]
        [string]$FilePath,

        [bool]$VerifyImportContentHashes,

        [ValidateLength(0, 2000)]
        [string]$ChangeReason,

        [switch]$PassThru
    )

    begin { Assert-JIMConnected }

    process {
        try {
            switch ($PSCmdlet.ParameterSetName) {
                'ByName' { $ConnectedSystemId = (Resolve-JIMConnectedSystem -Name $ConnectedSystemName).id }
                'ByInputObject' {
                    $ConnectedSystemId = $InputObject.connectedSystemId
                    $RunProfileId = $InputObject.id
                }
            }
            $body = [ordered]@{}
            if ($PSBoundParameters.ContainsKey('Name')) { $body.name = $Name }
            if ($PSBoundParameters.ContainsKey('PageSize')) { $body.pageSize = $PageSize }
            if ($PSBoundParameters.ContainsKey('PartitionId')) { $body.partitionId = $PartitionId }
            if ($PSBoundParameters.ContainsKey('FilePath')) { $body.filePath = $FilePath }
            if ($PSBoundParameters.ContainsKey('VerifyImportContentHashes')) { $body.verifyImportContentHashes = $VerifyImportContentHashes }
            if ($body.Count -eq 0) {
                Write-Warning 'No updates specified.'
                return
            }
            if ($ChangeReason) { $body.changeReason = $ChangeReason }
            if ($PSCmdlet.ShouldProcess("Run Profile $RunProfileId of Connected System $ConnectedSystemId", 'Update Run Profile')) {
                $result = Invoke-JIMApi -Endpoint "/api/v1/synchronisation/connected-systems/$ConnectedSystemId/run-profiles/$RunProfileId" `
                    -Method PUT -Body $body -ErrorAction Stop
                if ($PassThru) { $result }
            }
        }
        catch {
            Write-JIMError -Cmdlet $PSCmdlet -ErrorRecord $_ -Activity 'update Run Profile'
        }
    }
}
