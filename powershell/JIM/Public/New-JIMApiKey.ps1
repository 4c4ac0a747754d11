function New-JIMApiKey {
    <#
    .SYNOPSIS
        Creates an API key.

    .DESCRIPTION
        POST /api/v1/apikeys with {name, roleIds, description?, expiresAt?}. The key itself
        ("jim_ak_" + 64 hex characters) is in the response only, and the server never shows it
        again: use -PassThru to receive it (its 'key' property). Role 1 is Administrator.

    .PARAMETER Name
        The key's name.

    .PARAMETER Description
        Optional description.

    .PARAMETER RoleIds
        IDs of the roles to give the key (1 = Administrator). Defaults to none.

    .PARAMETER ExpiresAt
        Optional expiry date and time (sent as UTC ISO-8601).

    .PARAMETER ChangeReason
        Why the change is made (at most 2,000 characters); kept on its Activity and its version of the
        configuration change history.

    .PARAMETER PassThru
        Return the created key, including the one-time 'key' value.

    .EXAMPLE
        $new = New-JIMApiKey -Name "CI pipeline" -RoleIds 1 -PassThru
        $new.key

        Creates an Administrator key and shows its value (the only time it can be read).

    .EXAMPLE
        New-JIMApiKey -Name "Temporary" -RoleIds 1 -ExpiresAt (Get-Date).AddDays(30) -PassThru

        Creates a key that expires in 30 days.

    .LINK
        Get-JIMApiKey
        Remove-JIMApiKey
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Low')]
    [OutputType([PSCustomObject])]
    param(
        [Parameter(Mandatory, Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string]$Name,

        [string]$Description,

        [int[]]$RoleIds = @(),

        [datetime]$ExpiresAt,

        [ValidateLength(0, 2000)]
        [string]$ChangeReason,

        [switch]$PassThru
    )

    begin { Assert-JIMConnected }

    process {
        $body = [ordered]@{ name = $Name; roleIds = @($RoleIds) }
        if ($Description) { $body.description = $Description }
        if ($PSBoundParameters.ContainsKey('ChangeReason')) { $body.changeReason = $ChangeReason }
        if ($PSBoundParameters.ContainsKey('ExpiresAt')) {
            $body.expiresAt = $ExpiresAt.ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ss.fffZ', [System.Globalization.CultureInfo]::InvariantCulture)
        }
        if ($PSCmdlet.ShouldProcess($Name, 'Create API key')) {
            try {
                $result = Invoke-JIMApi -Endpoint '/api/v1/apikeys' -Method POST -Body $body -ErrorAction Stop
                Write-Verbose "Created API key $($result.id) ($($result.keyPrefix)...)"
                if ($PassThru) {
                    $result
                }
                else {
                    Write-Warning "API key '$Name' was created, but its value is shown only once and -PassThru was not given. Remove it and create it again with -PassThru to read the key."
                }
            }
            catch {
                Write-JIMError -Cmdlet $PSCmdlet -ErrorRecord $_ -Activity 'create API key'
            }
        }
    }
}
