function Get-JIMHealth {
    <#
    .SYNOPSIS
        Gets the health of the jim-edge server (anonymous; works without Connect-JIM via -Url).

    .DESCRIPTION
        GET /api/v1/health by default; -Ready asks /api/v1/health/ready (is the store writable?),
        -Live asks /api/v1/health/live, -Version asks /api/v1/health/version. A server that is
        not ready answers 503, which is reported as an error carrying the server's reason.

    .PARAMETER Url
        Base URL of the server; defaults to the current connection's.

    .PARAMETER Ready
        Ask the readiness route.

    .PARAMETER Live
        Ask the liveness route.

    .PARAMETER Version
        Ask the version route ({product, version}).

    .EXAMPLE
        Get-JIMHealth

        Gets {status, timestamp} of the connected server.

    .EXAMPLE
        Get-JIMHealth -Url "http://127.0.0.1:8080" -Ready

        Checks whether a server is ready, without connecting to it.

    .EXAMPLE
        (Get-JIMHealth -Version).version

        Gets the server's version.

    .LINK
        Connect-JIM
    #>
    [CmdletBinding(DefaultParameterSetName = 'Health')]
    [OutputType([PSCustomObject])]
    param(
        [Parameter(Position = 0)]
        [string]$Url,

        [Parameter(Mandatory, ParameterSetName = 'Ready')]
        [switch]$Ready,

        [Parameter(Mandatory, ParameterSetName = 'Live')]
        [switch]$Live,

        [Parameter(Mandatory, ParameterSetName = 'Version')]
        [switch]$Version
    )

    $endpoint = switch ($PSCmdlet.ParameterSetName) {
        'Ready' { '/api/v1/health/ready' }
        'Live' { '/api/v1/health/live' }
        'Version' { '/api/v1/health/version' }
        default { '/api/v1/health' }
    }
    $request = @{ Endpoint = $endpoint; Anonymous = $true; ErrorAction = 'Stop' }
    if ($Url) { $request.Url = $Url }
    try {
        Invoke-JIMApi @request
    }
    catch {
        if ($_.Exception.Data['StatusCode'] -eq 503 -and $_.TargetObject -and $_.TargetObject.PSObject.Properties.Name -contains 'reason') {
            $record = New-JIMErrorRecord -Message "The server is not ready: $($_.TargetObject.reason)" -ErrorId 'JIM.NotReady' `
                -Category ([System.Management.Automation.ErrorCategory]::ResourceUnavailable) -TargetObject $_.TargetObject
            $PSCmdlet.WriteError($record)
            return
        }
        Write-JIMError -Cmdlet $PSCmdlet -ErrorRecord $_ -Activity 'get health'
    }
}
