function Export-JIMRunProfileSet {
    <#
    .SYNOPSIS
        Exports the Run Profiles of a Connected System as a run-profile set document.

    .DESCRIPTION
        GET /api/v1/synchronisation/connected-systems/{id}/run-profiles?format=set (beyond JIM). The
        document is {"runProfiles":[{name, runType, pageSize, partitionId, filePath,
        verifyImportContentHashes}, ...]} in ID order: exactly what Sync-JIMRunProfileSet (PUT
        .../run-profiles) takes, so exporting and syncing it back changes nothing. Keep it in version
        control, edit it, and apply it with Sync-JIMRunProfileSet.

        Without -Path the document is returned as an object; with -Path it is written to that file as
        indented UTF-8 JSON and the file is returned.

    .PARAMETER ConnectedSystemId
        The Connected System's ID (alias Id, so piped Connected System objects bind).

    .PARAMETER ConnectedSystemName
        The Connected System's exact name (case-insensitive).

    .PARAMETER Path
        Write the document to this file (overwritten) instead of returning it.

    .EXAMPLE
        Export-JIMRunProfileSet -ConnectedSystemId 1 -Path ./ldap-run-profiles.json

        Writes the run-profile set of Connected System 1 to ldap-run-profiles.json.

    .EXAMPLE
        (Export-JIMRunProfileSet -ConnectedSystemName "HR Database").runProfiles | Format-Table

        Shows the set of the Connected System named "HR Database" as a table.

    .LINK
        Sync-JIMRunProfileSet
        Get-JIMRunProfile
    #>
    [CmdletBinding(DefaultParameterSetName = 'ById')]
    [OutputType([PSCustomObject], [System.IO.FileInfo])]
    param(
        [Parameter(Mandatory, ParameterSetName = 'ById', Position = 0, ValueFromPipelineByPropertyName)]
        [Alias('Id')]
        [int]$ConnectedSystemId,

        [Parameter(Mandatory, ParameterSetName = 'ByName')]
        [ValidateNotNullOrEmpty()]
        [string]$ConnectedSystemName,

        [ValidateNotNullOrEmpty()]
        [string]$Path
    )

    begin { Assert-JIMConnected }

    process {
        try {
            if ($PSCmdlet.ParameterSetName -eq 'ByName') {
                $ConnectedSystemId = (Resolve-JIMConnectedSystem -Name $ConnectedSystemName).id
            }
            $set = Invoke-JIMApi -Endpoint "/api/v1/synchronisation/connected-systems/$ConnectedSystemId/run-profiles?format=set" -ErrorAction Stop
            if (-not $Path) { return $set }
            $full = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($Path)
            # -AsArray keeps a set of one profile an array; -Depth covers the document's three levels.
            $json = ConvertTo-Json -InputObject ([ordered]@{ runProfiles = @($set.runProfiles) }) -Depth 5
            [System.IO.File]::WriteAllText($full, $json + "`n", [System.Text.UTF8Encoding]::new($false))
            Get-Item -LiteralPath $full
        }
        catch {
            Write-JIMError -Cmdlet $PSCmdlet -ErrorRecord $_ -Activity 'export run-profile set'
        }
    }
}
