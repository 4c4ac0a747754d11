function Invoke-JIMApi {
    <#
    .SYNOPSIS
        Sends one request to the jim-edge / JIM REST API and returns the JSON answer as objects.

    .DESCRIPTION
        The module's only transport. The URI is the connection URL (trailing '/' trimmed) plus
        -Endpoint. Headers: Accept: application/json and, unless -Anonymous, X-Api-Key. A -Body
        that is not a string is sent as JSON made by ConvertTo-Json -Depth 10 (callers build
        hashtables with camelCase keys), as UTF-8 with Content-Type application/json.

        Success: 204 or an empty body returns nothing; a JSON body is returned as PSCustomObjects
        (an array is enumerated). Failure: a terminating ErrorRecord whose message is the server
        envelope's 'message' followed by one line "  - <field>: <message>" per entry of
        'validationErrors'; the parsed envelope is the ErrorRecord's TargetObject and the HTTP
        status, error code and request id are in the exception's Data. A 429 is retried up to
        -MaxRetries times after waiting the Retry-After seconds the server asks for.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [string]$Endpoint,

        [ValidateSet('GET', 'POST', 'PUT', 'PATCH', 'DELETE')]
        [string]$Method = 'GET',

        [object]$Body,

        # Base URL to use instead of the current connection's (Connect-JIM, Get-JIMHealth -Url).
        [string]$Url,

        # API key to use instead of the current connection's (Connect-JIM checks a key with it).
        [string]$ApiKey,

        # Send no X-Api-Key header (health routes).
        [switch]$Anonymous,

        [hashtable]$Headers,

        [ValidateRange(0, 100)]
        [int]$MaxRetries = $script:JIMMaxRetries,

        [ValidateRange(1, 3600)]
        [int]$TimeoutSec = 100
    )

    $baseUrl = if ($Url) { $Url } elseif ($script:JIMConnection) { $script:JIMConnection.Url } else { $null }
    if (-not $baseUrl) {
        $PSCmdlet.ThrowTerminatingError((New-JIMErrorRecord `
                    -Message 'You are not connected to JIM. Run Connect-JIM -Url <url> -ApiKey <key> first.' `
                    -ErrorId 'JIM.NotConnected' -Category ([System.Management.Automation.ErrorCategory]::ConnectionError)))
    }
    $uri = $baseUrl.TrimEnd('/') + $Endpoint

    $requestHeaders = @{ 'Accept' = 'application/json' }
    if (-not $Anonymous) {
        $key = if ($ApiKey) { $ApiKey } elseif ($script:JIMConnection) { $script:JIMConnection.ApiKey } else { $null }
        if ($key) { $requestHeaders['X-Api-Key'] = $key }
    }
    if ($Headers) {
        foreach ($name in $Headers.Keys) { $requestHeaders[$name] = $Headers[$name] }
    }

    $request = @{
        Uri                = $uri
        Method             = $Method
        Headers            = $requestHeaders
        SkipHttpErrorCheck = $true
        MaximumRedirection = 0
        TimeoutSec         = $TimeoutSec
        ErrorAction        = 'Stop'
        Verbose            = $false
        Debug              = $false
    }
    if ($PSBoundParameters.ContainsKey('Body') -and $null -ne $Body) {
        $json = if ($Body -is [string]) { $Body } else { ConvertTo-Json -InputObject $Body -Depth 10 -Compress }
        $request.Body = [System.Text.Encoding]::UTF8.GetBytes($json)
        $request.ContentType = 'application/json; charset=utf-8'
        Write-Debug "JIM request body: $json"
    }

    $attempt = 0
    while ($true) {
        Write-Verbose "JIM API: $Method $uri"
        try {
            $response = Invoke-WebRequest @request
        }
        catch {
            $detail = $_.Exception.Message
            if ($_.Exception.InnerException) { $detail = $_.Exception.InnerException.Message }
            $PSCmdlet.ThrowTerminatingError((New-JIMErrorRecord `
                        -Message "Could not reach JIM at ${baseUrl}: $detail" `
                        -ErrorId 'JIM.ConnectionFailed' `
                        -Category ([System.Management.Automation.ErrorCategory]::ConnectionError) `
                        -TargetObject $uri -Exception $_.Exception))
        }

        $status = [int]$response.StatusCode
        if ($status -eq 429 -and $attempt -lt $MaxRetries) {
            $attempt++
            $delay = Get-JIMRetryDelay -Response $response -Attempt $attempt
            Write-Warning "JIM API rate limit reached (429); waiting $delay s before retry $attempt of $MaxRetries."
            Start-Sleep -Seconds $delay
            continue
        }
        break
    }

    $content = $response.Content
    if ($content -is [byte[]]) { $content = [System.Text.Encoding]::UTF8.GetString($content) }

    if ($status -ge 200 -and $status -lt 300) {
        if ($status -eq 204 -or [string]::IsNullOrWhiteSpace($content)) { return }
        try {
            $parsed = ConvertFrom-Json -InputObject $content -Depth 64 -ErrorAction Stop
        }
        catch {
            return $content
        }
        # Emit array members one by one (ConvertFrom-Json returns a JSON array as one object).
        if ($parsed -is [System.Array]) { foreach ($item in $parsed) { $item } } else { $parsed }
        return
    }

    $PSCmdlet.ThrowTerminatingError((New-JIMApiErrorRecord -Response $response -Content $content `
                -Method $Method -Uri $uri -Retries $attempt))
}
