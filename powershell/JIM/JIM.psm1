# JIM PowerShell module for jim-edge: loader.
# Dot-sources every private helper, then every public cmdlet (one file per cmdlet), and exports the
# public ones. The connection made by Connect-JIM lives in module scope ($script:JIMConnection).

$script:JIMConnection = $null

# How many times a request answered with 429 Too Many Requests is retried (after waiting Retry-After
# seconds) before the 429 is reported as an error.
$script:JIMMaxRetries = 5

# Longest wait, in seconds, for one Retry-After (a server asking for longer is capped).
$script:JIMMaxRetryDelaySeconds = 60

# The five run types a Run Profile can have (member names of JIM's ConnectedSystemRunType enum).
$script:JIMRunTypes = @('FullImport', 'DeltaImport', 'FullSynchronisation', 'DeltaSynchronisation', 'Export')

foreach ($folder in @('Private', 'Public')) {
    $path = Join-Path -Path $PSScriptRoot -ChildPath $folder
    foreach ($file in (Get-ChildItem -Path $path -Filter '*.ps1' -File | Sort-Object -Property Name)) {
        . $file.FullName
    }
}

$public = Get-ChildItem -Path (Join-Path -Path $PSScriptRoot -ChildPath 'Public') -Filter '*.ps1' -File
Export-ModuleMember -Function $public.BaseName
