function ConvertTo-JIMDiffRows {
    <#
    .SYNOPSIS
        Flattens a change-history diff tree into one readable row per changed setting or item.

    .DESCRIPTION
        Walks the diff's nodes and emits {Path, Change, OldValue, NewValue} for every node whose
        changeType is not Unchanged, where no ancestor was itself Added or Removed (an added Run Profile
        is one row, not one per setting). Paths read like "runProfiles[Full Import].pageSize". Display
        values are shown (a connector's name rather than its id); a secret shows as "(secret)".
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        $Node,

        [string]$Path = ''
    )

    foreach ($child in @($Node.children)) {
        if ($null -eq $child) { continue }
        $segment = if ($null -ne $child.itemId -or $null -ne $child.itemGuidId) { "[$($child.label)]" } else { $child.key }
        $childPath = if (-not $Path) { $segment } elseif ($segment.StartsWith('[')) { "$Path$segment" } else { "$Path.$segment" }
        switch ($child.changeType) {
            'Unchanged' { }
            'Modified' {
                if ($child.nodeType -eq 'Scalar') {
                    [pscustomobject]@{
                        Path     = $childPath
                        Change   = 'Modified'
                        OldValue = if ($child.isSecret) { '(secret)' } else { $child.oldDisplayValue }
                        NewValue = if ($child.isSecret) { '(secret)' } else { $child.newDisplayValue }
                    }
                }
                else {
                    ConvertTo-JIMDiffRows -Node $child -Path $childPath
                }
            }
            default {
                $value = if ($child.nodeType -eq 'Scalar') { if ($child.changeType -eq 'Added') { $child.newDisplayValue } else { $child.oldDisplayValue } } else { $child.label }
                [pscustomobject]@{
                    Path     = $childPath
                    Change   = $child.changeType
                    OldValue = if ($child.changeType -eq 'Removed') { $value } else { $null }
                    NewValue = if ($child.changeType -eq 'Added') { $value } else { $null }
                }
            }
        }
    }
}
