function Resolve-JIMConnectedSystem {
    <#
    .SYNOPSIS
        Finds the one Connected System whose name equals -Name (case-insensitive, exact text, like
        PowerShell's -eq), reading every page of GET /api/v1/synchronisation/connected-systems.

    .DESCRIPTION
        Returns the list item (it has .id). No match or more than one match is a terminating error
        that says which.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [string]$Name
    )

    $matched = @(Get-JIMPagedItems -Endpoint '/api/v1/synchronisation/connected-systems' |
            Where-Object { $_.name -eq $Name })

    if ($matched.Count -eq 0) {
        throw (New-JIMErrorRecord -Message "Connected System not found: '$Name'. No Connected System has exactly this name (the match is case-insensitive and takes no wildcards)." `
                -ErrorId 'JIM.ConnectedSystemNotFound' -Category ([System.Management.Automation.ErrorCategory]::ObjectNotFound) -TargetObject $Name)
    }
    if ($matched.Count -gt 1) {
        $ids = ($matched | ForEach-Object { $_.id }) -join ', '
        throw (New-JIMErrorRecord -Message "Multiple Connected Systems found with name '$Name' (IDs: $ids). Use -ConnectedSystemId instead." `
                -ErrorId 'JIM.ConnectedSystemAmbiguous' -Category ([System.Management.Automation.ErrorCategory]::InvalidArgument) -TargetObject $Name)
    }
    $matched[0]
}
