function Remove-JIMRunProfile {
    <#
    .SYNOPSIS
        Deletes a Run Profile.

    .DESCRIPTION
        Looks the Run Profile up in GET .../connected-systems/{id}/run-profiles (for the
        confirmation message and -PassThru), then DELETE .../run-profiles/{runProfileId}. Asks for
        confirmation (high impact) unless -Force or -Confirm:$false; -WhatIf deletes nothing. Run
        Profile objects can be piped in (their connectedSystemId and id are used).

    .PARAMETER ConnectedSystemId
        The Connected System's ID.

    .PARAMETER ConnectedSystemName
        The Connected System's exact name (case-insensitive).

    .PARAMETER RunProfileId
        The Run Profile's ID (alias Id, so piped Run Profile objects bind).

    .PARAMETER InputObject
        A Run Profile object (as returned by Get-JIMRunProfile) to delete.

    .PARAMETER Force
        Do not ask for confirmation (-WhatIf is still honoured).

    .PARAMETER ChangeReason
        Why the change is made (at most 2,000 characters); jim-edge keeps it on the change's activity
        (beyond JIM, whose run-profile requests have no reason).

    .PARAMETER PassThru
        Return the deleted Run Profile.

    .EXAMPLE
        Remove-JIMRunProfile -ConnectedSystemId 1 -RunProfileId 3

        Deletes Run Profile 3 of Connected System 1 after confirmation.

    .EXAMPLE
        Get-JIMRunProfile -ConnectedSystemId 1 -Name "Test*" | Remove-JIMRunProfile -Force

        Deletes the Run Profiles whose names start with "Test", without prompting.

    .EXAMPLE
        Remove-JIMRunProfile -ConnectedSystemName "HR Database" -RunProfileId 7 -WhatIf

        Shows what would be deleted, without deleting it.

    .LINK
        Get-JIMRunProfile
        New-JIMRunProfile
        Set-JIMRunProfile
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High', DefaultParameterSetName = 'ById')]
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

        [switch]$Force,

        [ValidateLength(0, 2000)]
        [string]$ChangeReason,

        [switch]$PassThru
    )

    begin { Assert-JIMConnected }

    process {
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) { $ConfirmPreference = 'None' }
        try {
            switch ($PSCmdlet.ParameterSetName) {
                'ByName' { $ConnectedSystemId = (Resolve-JIMConnectedSystem -Name $ConnectedSystemName).id }
                'ByInputObject' {
                    $ConnectedSystemId = $InputObject.connectedSystemId
                    $RunProfileId = $InputObject.id
                }
            }
            $existing = Invoke-JIMApi -Endpoint "/api/v1/synchronisation/connected-systems/$ConnectedSystemId/run-profiles" -ErrorAction Stop |
                Where-Object { $_.id -eq $RunProfileId } | Select-Object -First 1
            if (-not $existing) {
                throw (New-JIMErrorRecord -Message "Run Profile with ID $RunProfileId not found for Connected System $ConnectedSystemId." `
                        -ErrorId 'JIM.RunProfileNotFound' -Category ([System.Management.Automation.ErrorCategory]::ObjectNotFound) -TargetObject $RunProfileId)
            }
            if ($PSCmdlet.ShouldProcess("'$($existing.name)' (ID $RunProfileId) of Connected System $ConnectedSystemId", 'Delete Run Profile')) {
                $endpoint = "/api/v1/synchronisation/connected-systems/$ConnectedSystemId/run-profiles/$RunProfileId"
                if ($ChangeReason) { $endpoint += '?changeReason=' + [System.Uri]::EscapeDataString($ChangeReason) }
                Invoke-JIMApi -Endpoint $endpoint -Method DELETE -ErrorAction Stop | Out-Null
                Write-Verbose "Deleted Run Profile $RunProfileId"
                if ($PassThru) { $existing }
            }
        }
        catch {
            Write-JIMError -Cmdlet $PSCmdlet -ErrorRecord $_ -Activity 'delete Run Profile'
        }
    }
}
