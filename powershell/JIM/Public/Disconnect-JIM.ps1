function Disconnect-JIM {
    <#
    .SYNOPSIS
        Forgets the current JIM connection (URL and API key).

    .DESCRIPTION
        After Disconnect-JIM, the other JIM cmdlets (except Get-JIMHealth -Url) refuse to run
        until Connect-JIM is run again. Nothing is sent to the server.

    .EXAMPLE
        Disconnect-JIM

        Disconnects from JIM.

    .LINK
        Connect-JIM
    #>
    [CmdletBinding()]
    [OutputType([void])]
    param()

    if ($script:JIMConnection) {
        Write-Verbose "Disconnected from $($script:JIMConnection.Url)"
    }
    else {
        Write-Verbose 'Not connected to JIM.'
    }
    $script:JIMConnection = $null
}
