function Sync-JIMRunProfileSet {
    <#
    .SYNOPSIS
        Makes a Connected System's Run Profiles exactly a declared set, all or nothing.

    .DESCRIPTION
        PUT /api/v1/synchronisation/connected-systems/{id}/run-profiles (beyond JIM). The set comes
        from a file (-Path, as written by Export-JIMRunProfileSet) or from objects (-InputObject: a
        set document with a runProfiles property, or Run Profile objects such as those of
        Get-JIMRunProfile). Profiles are matched by name: missing ones are created, changed ones
        updated, and those the set does not name deleted (unless -NoPrune). A changed run type is a
        delete plus a create. The server applies everything in one transaction, or nothing.

        The plan is always fetched first (?dryRun=true). With -WhatIf the plan is shown and returned
        and nothing changes. Otherwise, after confirmation (-Confirm), the set is applied with
        If-Match set to the plan's etag, so what is applied is exactly what was planned: if the
        Run Profiles changed in between, the server answers 412 and nothing is applied. The plan
        comes back as an object: create, update (with from/to per field), delete, unchanged, etag.

    .PARAMETER ConnectedSystemId
        The Connected System's ID (alias Id).

    .PARAMETER ConnectedSystemName
        The Connected System's exact name (case-insensitive).

    .PARAMETER Path
        A JSON file holding {"runProfiles":[...], "changeReason"?}.

    .PARAMETER InputObject
        A set document (an object with runProfiles) or Run Profile objects; can be piped in.

    .PARAMETER NoPrune
        Keep the Run Profiles the set does not name (?prune=false).

    .PARAMETER ChangeReason
        Why the set is applied (at most 2,000 characters); recorded on every activity of the change.

    .EXAMPLE
        Sync-JIMRunProfileSet -ConnectedSystemId 1 -Path ./ldap-run-profiles.json -WhatIf

        Shows what applying the file would create, update and delete, changing nothing.

    .EXAMPLE
        Sync-JIMRunProfileSet -ConnectedSystemId 1 -Path ./ldap-run-profiles.json -ChangeReason "CHG-1234"

        Applies the file to Connected System 1 and records the reason on every change.

    .EXAMPLE
        $standard = 'Full Import:FullImport', 'Delta Import:DeltaImport', 'Full Sync:FullSynchronisation', 'Delta Sync:DeltaSynchronisation', 'Export:Export' | ForEach-Object { $n, $t = $_ -split ':'; [pscustomobject]@{ name = $n; runType = $t } }; Sync-JIMRunProfileSet -ConnectedSystemId 1 -InputObject $standard -NoPrune

        The standard set of five Run Profiles in one call, all or nothing, keeping any others.

    .LINK
        Export-JIMRunProfileSet
        Get-JIMRunProfile
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium', DefaultParameterSetName = 'ByIdFromObject')]
    [OutputType([PSCustomObject])]
    param(
        [Parameter(Mandatory, ParameterSetName = 'ByIdFromPath')]
        [Parameter(Mandatory, ParameterSetName = 'ByIdFromObject')]
        [Alias('Id')]
        [int]$ConnectedSystemId,

        [Parameter(Mandatory, ParameterSetName = 'ByNameFromPath')]
        [Parameter(Mandatory, ParameterSetName = 'ByNameFromObject')]
        [ValidateNotNullOrEmpty()]
        [string]$ConnectedSystemName,

        [Parameter(Mandatory, ParameterSetName = 'ByIdFromPath')]
        [Parameter(Mandatory, ParameterSetName = 'ByNameFromPath')]
        [ValidateNotNullOrEmpty()]
        [string]$Path,

        [Parameter(Mandatory, ParameterSetName = 'ByIdFromObject', ValueFromPipeline)]
        [Parameter(Mandatory, ParameterSetName = 'ByNameFromObject', ValueFromPipeline)]
        [AllowEmptyCollection()]
        [object[]]$InputObject,

        [switch]$NoPrune,

        [ValidateLength(0, 2000)]
        [string]$ChangeReason
    )

    begin {
        Assert-JIMConnected
        $collected = [System.Collections.Generic.List[object]]::new()
        $document = $null
    }

    process {
        foreach ($item in @($InputObject)) {
            if ($null -eq $item) { continue }
            if ($item.PSObject.Properties['runProfiles']) { $document = $item } else { $collected.Add($item) }
        }
    }

    end {
        try {
            if ($PSCmdlet.ParameterSetName -like 'ByName*') {
                $ConnectedSystemId = (Resolve-JIMConnectedSystem -Name $ConnectedSystemName).id
            }
            if ($Path) {
                $full = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($Path)
                $document = Get-Content -LiteralPath $full -Raw -ErrorAction Stop | ConvertFrom-Json -Depth 10 -ErrorAction Stop
            }
            $profiles = if ($document) { @($document.runProfiles) } else { @($collected) }
            $body = [ordered]@{ runProfiles = $profiles }
            $reason = if ($PSBoundParameters.ContainsKey('ChangeReason')) { $ChangeReason } elseif ($document -and $document.PSObject.Properties['changeReason']) { $document.changeReason }
            if ($reason) { $body.changeReason = $reason }
            $json = ConvertTo-Json -InputObject $body -Depth 10 -Compress

            $endpoint = "/api/v1/synchronisation/connected-systems/$ConnectedSystemId/run-profiles"
            $prune = if ($NoPrune) { 'false' } else { 'true' }
            $plan = Invoke-JIMApi -Endpoint "${endpoint}?dryRun=true&prune=$prune" -Method PUT -Body $json -ErrorAction Stop
            $summary = "$(@($plan.create).Count) to create, $(@($plan.update).Count) to update, " +
                "$(@($plan.delete).Count) to delete, $(@($plan.unchanged).Count) unchanged"
            if (@($plan.create).Count + @($plan.update).Count + @($plan.delete).Count -eq 0) {
                Write-Verbose "Run-profile set of Connected System ${ConnectedSystemId}: nothing to change ($summary)"
                return $plan
            }
            foreach ($c in @($plan.create)) { Write-Verbose "create '$($c.name)' ($($c.runType))" }
            foreach ($u in @($plan.update)) { Write-Verbose "update '$($u.name)' (ID $($u.id)): $(@($u.changes.PSObject.Properties.Name) -join ', ')" }
            foreach ($d in @($plan.delete)) { Write-Verbose "delete '$($d.name)' (ID $($d.id), $($d.reason))" }
            if ($PSCmdlet.ShouldProcess("Run Profiles of Connected System $ConnectedSystemId ($summary)", 'Apply run-profile set')) {
                Invoke-JIMApi -Endpoint "${endpoint}?prune=$prune" -Method PUT -Body $json -Headers @{ 'If-Match' = $plan.etag } -ErrorAction Stop
            }
            elseif ($WhatIfPreference) {
                $plan
            }
        }
        catch {
            Write-JIMError -Cmdlet $PSCmdlet -ErrorRecord $_ -Activity 'apply run-profile set'
        }
    }
}
