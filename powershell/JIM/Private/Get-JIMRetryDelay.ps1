function Get-JIMRetryDelay {
    <#
    .SYNOPSIS
        Seconds to wait before retrying a 429 answer: the Retry-After header (delta-seconds or an
        HTTP date), else 2 * 2^(attempt-1); always between 1 and $script:JIMMaxRetryDelaySeconds.
    #>
    [CmdletBinding()]
    [OutputType([int])]
    param(
        [Parameter(Mandatory)]
        $Response,

        [int]$Attempt = 1
    )

    $max = [int]$script:JIMMaxRetryDelaySeconds
    $delay = $null
    $value = $null
    if ($Response.Headers -and $Response.Headers.ContainsKey('Retry-After')) {
        $value = @($Response.Headers['Retry-After'])[0]
    }
    if ($value) {
        $seconds = 0
        $date = [datetimeoffset]::MinValue
        if ([int]::TryParse($value.Trim(), [ref]$seconds)) {
            $delay = $seconds
        }
        elseif ([datetimeoffset]::TryParse($value, [System.Globalization.CultureInfo]::InvariantCulture,
                [System.Globalization.DateTimeStyles]::AssumeUniversal, [ref]$date)) {
            $delay = [int][math]::Ceiling(($date - [datetimeoffset]::UtcNow).TotalSeconds)
        }
    }
    if ($null -eq $delay) {
        $delay = [int](2 * [math]::Pow(2, [math]::Max(0, $Attempt - 1)))
    }
    [math]::Min($max, [math]::Max(1, $delay))
}
