function Remove-JIMApiKey {
    <#
    .SYNOPSIS
        Deletes an API key.

    .DESCRIPTION
        GET /api/v1/apikeys/{id} (for the confirmation message), then DELETE /api/v1/apikeys/{id}.
        Asks for confirmation (high impact) unless -Force or -Confirm:$false; -WhatIf deletes
        nothing. A key cannot delete itself (the server answers 409). API key objects can be piped
        in.

    .PARAMETER Id
        The key's ID (a GUID).

    .PARAMETER Force
        Do not ask for confirmation (-WhatIf is still honoured).

    .PARAMETER PassThru
        Return the deleted key's details.

    .EXAMPLE
        Remove-JIMApiKey -Id "0b6f2c1e-8d0a-4d8e-9a51-3c2f7e6b9d10"

        Deletes the key after confirmation.

    .EXAMPLE
        Get-JIMApiKey -Name "Temporary*" | Remove-JIMApiKey -Force

        Deletes every key whose name starts with "Temporary", without prompting.

    .LINK
        Get-JIMApiKey
        New-JIMApiKey
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
    [OutputType([PSCustomObject])]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [guid]$Id,

        [switch]$Force,

        [switch]$PassThru
    )

    begin { Assert-JIMConnected }

    process {
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) { $ConfirmPreference = 'None' }
        try {
            $existing = Invoke-JIMApi -Endpoint "/api/v1/apikeys/$Id" -ErrorAction Stop
            if ($PSCmdlet.ShouldProcess("'$($existing.name)' ($($existing.keyPrefix)..., ID $Id)", 'Delete API key')) {
                Invoke-JIMApi -Endpoint "/api/v1/apikeys/$Id" -Method DELETE -ErrorAction Stop | Out-Null
                if ($PassThru) { $existing }
            }
        }
        catch {
            Write-JIMError -Cmdlet $PSCmdlet -ErrorRecord $_ -Activity 'delete API key'
        }
    }
}
