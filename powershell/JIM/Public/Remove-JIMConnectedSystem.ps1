function Remove-JIMConnectedSystem {
    <#
    .SYNOPSIS
        Deletes a Connected System together with its Run Profiles and partitions.

    .DESCRIPTION
        DELETE /api/v1/synchronisation/connected-systems/{id}. Asks for confirmation (high impact)
        unless -Force or -Confirm:$false is given; -WhatIf shows what would be deleted and deletes
        nothing. Accepts Connected System objects from the pipeline.

    .PARAMETER Id
        The Connected System's ID.

    .PARAMETER Force
        Do not ask for confirmation (-WhatIf is still honoured).

    .PARAMETER PassThru
        Return the Connected System as it was before deletion.

    .EXAMPLE
        Remove-JIMConnectedSystem -Id 3

        Deletes Connected System 3 after confirmation.

    .EXAMPLE
        Get-JIMConnectedSystem -Name "Test*" | Remove-JIMConnectedSystem -Force

        Deletes every Connected System whose name starts with "Test", without prompting.

    .LINK
        Get-JIMConnectedSystem
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
    [OutputType([PSCustomObject])]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [Alias('ConnectedSystemId')]
        [int]$Id,

        [switch]$Force,

        [switch]$PassThru
    )

    begin { Assert-JIMConnected }

    process {
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) { $ConfirmPreference = 'None' }
        try {
            $existing = Invoke-JIMApi -Endpoint "/api/v1/synchronisation/connected-systems/$Id" -ErrorAction Stop
            if ($PSCmdlet.ShouldProcess("$($existing.name) (ID $Id)", 'Delete Connected System and its Run Profiles')) {
                Invoke-JIMApi -Endpoint "/api/v1/synchronisation/connected-systems/$Id" -Method DELETE -ErrorAction Stop | Out-Null
                Write-Verbose "Deleted Connected System $Id"
                if ($PassThru) { $existing }
            }
        }
        catch {
            Write-JIMError -Cmdlet $PSCmdlet -ErrorRecord $_ -Activity 'delete Connected System'
        }
    }
}
