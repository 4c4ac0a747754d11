function ConvertTo-JIMQueryString {
    <#
    .SYNOPSIS
        "?a=1&b=x%20y" from a dictionary (values URI-escaped; $null values and empty input skipped).
        An array value repeats the parameter.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [System.Collections.IDictionary]$Query
    )

    if (-not $Query) { return '' }
    $parts = foreach ($key in $Query.Keys) {
        foreach ($value in @($Query[$key])) {
            if ($null -eq $value) { continue }
            '{0}={1}' -f [System.Uri]::EscapeDataString([string]$key), [System.Uri]::EscapeDataString([string]$value)
        }
    }
    if (-not $parts) { return '' }
    '?' + (@($parts) -join '&')
}
