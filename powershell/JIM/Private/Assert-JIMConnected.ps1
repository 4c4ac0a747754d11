function Assert-JIMConnected {
    <#
    .SYNOPSIS
        Throws a terminating "not connected" error when Connect-JIM has not been run.
    #>
    [CmdletBinding()]
    param()

    if (-not $script:JIMConnection) {
        throw (New-JIMErrorRecord -Message 'You are not connected to JIM. Run Connect-JIM -Url <url> -ApiKey <key> first.' `
                -ErrorId 'JIM.NotConnected' -Category ([System.Management.Automation.ErrorCategory]::ConnectionError))
    }
}
