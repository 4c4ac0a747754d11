function Connect-JIM {
    <#
    .SYNOPSIS
        Connects the JIM module to a jim-edge (or JIM) server with an API key.

    .DESCRIPTION
        Checks two things, in order, and says clearly which one failed:
        1. the server: GET /api/v1/health (anonymous) must answer {"status":"healthy"};
        2. the key: GET /api/v1/userinfo with the X-Api-Key header must accept the key.
        Only when both pass is the connection stored for the other JIM cmdlets; Connect-JIM always
        drops the previous connection first, so after a failed Connect-JIM you are not connected. A key without the
        Administrator role connects with a warning (the management cmdlets will then answer 403).

        Outputs an object describing the connection (the key itself is never shown).

    .PARAMETER Url
        The server's base URL, e.g. http://127.0.0.1:8080 (no /api/v1 suffix).

    .PARAMETER ApiKey
        The API key: "jim_ak_" followed by 64 lower-case hex characters.

    .PARAMETER TimeoutSec
        How long to wait for each of the checks, in seconds (default 30).

    .OUTPUTS
        PSCustomObject with Url, Status, Product, ServerVersion, Authorised, IsAdministrator,
        KeyName, AuthMethod, Roles and ConnectedAt.

    .EXAMPLE
        Connect-JIM -Url "http://127.0.0.1:8080" -ApiKey "jim_ak_..."

        Connects to the jim-edge server on port 8080 of this machine with an API key.

    .EXAMPLE
        Connect-JIM -Url $env:JIM_URL -ApiKey $env:JIM_API_KEY | Format-List

        Connects with values from the environment and shows the connection details.

    .LINK
        Disconnect-JIM
        Get-JIMHealth
    #>
    [CmdletBinding()]
    [OutputType([PSCustomObject])]
    param(
        [Parameter(Mandatory, Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string]$Url,

        [Parameter(Mandatory, Position = 1)]
        [ValidateNotNullOrEmpty()]
        [string]$ApiKey,

        [ValidateRange(1, 3600)]
        [int]$TimeoutSec = 30
    )

    $script:JIMConnection = $null

    $parsed = $null
    if (-not [System.Uri]::TryCreate($Url, [System.UriKind]::Absolute, [ref]$parsed) -or
        $parsed.Scheme -notin @('http', 'https')) {
        $PSCmdlet.ThrowTerminatingError((New-JIMErrorRecord `
                    -Message "Invalid -Url '$Url': give the server's absolute http:// or https:// base URL, e.g. http://127.0.0.1:8080." `
                    -ErrorId 'JIM.InvalidUrl' -Category ([System.Management.Automation.ErrorCategory]::InvalidArgument) -TargetObject $Url))
    }
    $baseUrl = $Url.TrimEnd('/')

    # 1. The server.
    try {
        $health = Invoke-JIMApi -Url $baseUrl -Endpoint '/api/v1/health' -Anonymous -MaxRetries 0 -TimeoutSec $TimeoutSec -ErrorAction Stop
    }
    catch {
        $PSCmdlet.ThrowTerminatingError((New-JIMErrorRecord `
                    -Message "Server check failed: GET $baseUrl/api/v1/health did not succeed, so the API key was not checked. $($_.Exception.Message)" `
                    -ErrorId 'JIM.ServerCheckFailed' -Category ([System.Management.Automation.ErrorCategory]::ConnectionError) `
                    -TargetObject $baseUrl -Exception $_.Exception))
    }
    $status = if ($health -and $health.PSObject.Properties.Name -contains 'status') { [string]$health.status } else { $null }
    if ($status -ne 'healthy') {
        $PSCmdlet.ThrowTerminatingError((New-JIMErrorRecord `
                    -Message "Server check failed: GET $baseUrl/api/v1/health answered status '$status' instead of 'healthy', so the API key was not checked." `
                    -ErrorId 'JIM.ServerUnhealthy' -Category ([System.Management.Automation.ErrorCategory]::ResourceUnavailable) -TargetObject $health))
    }

    $product = $null
    $version = $null
    try {
        $versionInfo = Invoke-JIMApi -Url $baseUrl -Endpoint '/api/v1/health/version' -Anonymous -MaxRetries 0 -TimeoutSec $TimeoutSec -ErrorAction Stop
        $product = $versionInfo.product
        $version = $versionInfo.version
    }
    catch {
        Write-Verbose "Could not read the server version: $($_.Exception.Message)"
    }

    # 2. The key.
    try {
        $userInfo = Invoke-JIMApi -Url $baseUrl -ApiKey $ApiKey -Endpoint '/api/v1/userinfo' -TimeoutSec $TimeoutSec -ErrorAction Stop
    }
    catch {
        $statusCode = $_.Exception.Data['StatusCode']
        $detail = if ($_.Exception.Data['ServerMessage']) { "Server said: $($_.Exception.Data['ServerMessage'])" } else { $_.Exception.Message }
        $what = if ($statusCode -eq 401) { 'the server rejected the API key' } else { 'the API key could not be checked' }
        $PSCmdlet.ThrowTerminatingError((New-JIMErrorRecord `
                    -Message "API key check failed: the server at $baseUrl is reachable and healthy, but $what (GET /api/v1/userinfo). $detail" `
                    -ErrorId 'JIM.ApiKeyCheckFailed' -Category ([System.Management.Automation.ErrorCategory]::AuthenticationError) `
                    -TargetObject $baseUrl -Exception $_.Exception))
    }

    $isAdministrator = [bool]$userInfo.isAdministrator
    if (-not $isAdministrator) {
        Write-Warning "Connected, but the API key '$($userInfo.name)' does not have the Administrator role: the management cmdlets will be refused (403)."
    }

    $script:JIMConnection = [PSCustomObject]@{
        Url         = $baseUrl
        ApiKey      = $ApiKey
        ConnectedAt = [datetime]::UtcNow
    }

    [PSCustomObject]@{
        Url             = $baseUrl
        Status          = $status
        Product         = $product
        ServerVersion   = $version
        Authorised      = $true
        IsAdministrator = $isAdministrator
        KeyName         = $userInfo.name
        AuthMethod      = $userInfo.authMethod
        Roles           = @($userInfo.roles)
        ConnectedAt     = $script:JIMConnection.ConnectedAt
    }
}
