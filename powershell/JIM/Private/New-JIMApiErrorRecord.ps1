function New-JIMApiErrorRecord {
    <#
    .SYNOPSIS
        Turns a non-success HTTP answer into an ErrorRecord.

    .DESCRIPTION
        The message is the server envelope's 'message' (verbatim) followed by one line
        "  - <field>: <message>" per entry of 'validationErrors'. When the body is not an envelope,
        the raw body text (or "HTTP <status> <reason>") is used instead. The exception's Data holds
        StatusCode, Code, RequestId and ValidationErrors; the parsed body is the TargetObject.
    #>
    [CmdletBinding()]
    [OutputType([System.Management.Automation.ErrorRecord])]
    param(
        [Parameter(Mandatory)]
        $Response,

        [AllowEmptyString()]
        [AllowNull()]
        [string]$Content,

        [string]$Method,

        [string]$Uri,

        [int]$Retries = 0
    )

    $status = [int]$Response.StatusCode
    $envelope = $null
    if (-not [string]::IsNullOrWhiteSpace($Content)) {
        try { $envelope = ConvertFrom-Json -InputObject $Content -ErrorAction Stop } catch { $envelope = $null }
    }

    $code = $null
    $serverMessage = $null
    $validationErrors = $null
    if ($envelope -is [System.Management.Automation.PSCustomObject]) {
        $names = $envelope.PSObject.Properties.Name
        if ($names -contains 'code') { $code = $envelope.code }
        if ($names -contains 'message') { $serverMessage = $envelope.message }
        if ($names -contains 'validationErrors') { $validationErrors = $envelope.validationErrors }
        # ASP.NET problem details (what JIM itself sends for model validation): title + errors.
        if (-not $serverMessage -and $names -contains 'title') { $serverMessage = $envelope.title }
        if (-not $validationErrors -and $names -contains 'errors') { $validationErrors = $envelope.errors }
    }
    if (-not $serverMessage) {
        $serverMessage = if (-not [string]::IsNullOrWhiteSpace($Content)) { $Content.Trim() }
        else { "HTTP $status $($Response.StatusDescription)".Trim() }
    }

    $lines = [System.Collections.Generic.List[string]]::new()
    $lines.Add($serverMessage)
    if ($validationErrors -is [System.Management.Automation.PSCustomObject]) {
        foreach ($field in $validationErrors.PSObject.Properties) {
            foreach ($fieldMessage in @($field.Value)) {
                $lines.Add("  - $($field.Name): $fieldMessage")
            }
        }
    }
    switch ($status) {
        401 { $lines.Add('  (Your API key may be invalid, disabled or expired. Use Connect-JIM to reconnect.)') }
        429 { $lines.Add("  (Still rate limited after $Retries retries.)") }
    }
    $message = $lines -join [Environment]::NewLine

    $category = switch ($status) {
        400 { [System.Management.Automation.ErrorCategory]::InvalidArgument }
        401 { [System.Management.Automation.ErrorCategory]::AuthenticationError }
        403 { [System.Management.Automation.ErrorCategory]::PermissionDenied }
        404 { [System.Management.Automation.ErrorCategory]::ObjectNotFound }
        405 { [System.Management.Automation.ErrorCategory]::InvalidOperation }
        409 { [System.Management.Automation.ErrorCategory]::ResourceExists }
        412 { [System.Management.Automation.ErrorCategory]::InvalidOperation }
        413 { [System.Management.Automation.ErrorCategory]::LimitsExceeded }
        415 { [System.Management.Automation.ErrorCategory]::InvalidType }
        429 { [System.Management.Automation.ErrorCategory]::LimitsExceeded }
        503 { [System.Management.Automation.ErrorCategory]::ResourceUnavailable }
        default { [System.Management.Automation.ErrorCategory]::InvalidResult }
    }

    $requestId = $null
    if ($Response.Headers -and $Response.Headers.ContainsKey('X-Request-Id')) {
        $requestId = @($Response.Headers['X-Request-Id'])[0]
    }

    $exception = [System.Exception]::new($message)
    $exception.Data['StatusCode'] = $status
    $exception.Data['Code'] = $code
    $exception.Data['ServerMessage'] = $serverMessage
    $exception.Data['ValidationErrors'] = $validationErrors
    $exception.Data['RequestId'] = $requestId
    $exception.Data['Method'] = $Method
    $exception.Data['Uri'] = $Uri

    $errorId = if ($code) { "JIM.$code" } else { "JIM.HTTP$status" }
    $target = if ($null -ne $envelope) { $envelope } else { $Uri }
    [System.Management.Automation.ErrorRecord]::new($exception, $errorId, $category, $target)
}
