function Set-JIMConnectedSystem {
    <#
    .SYNOPSIS
        Updates a Connected System's name and/or description.

    .DESCRIPTION
        PUT /api/v1/synchronisation/connected-systems/{id} with only the given fields. Accepts
        Connected System objects from the pipeline (by their 'id').

    .PARAMETER Id
        The Connected System's ID.

    .PARAMETER Name
        The new name (1-200 characters, unique).

    .PARAMETER Description
        The new description (up to 1000 characters).

    .PARAMETER ChangeReason
        Why the change is made (at most 2,000 characters); kept on its Activity and its version of the
        configuration change history.

    .PARAMETER PassThru
        Return the updated Connected System.

    .EXAMPLE
        Set-JIMConnectedSystem -Id 1 -Description "Corporate directory"

        Changes the description of Connected System 1.

    .EXAMPLE
        Get-JIMConnectedSystem -Name "HR Database" | Set-JIMConnectedSystem -Name "HR Exports" -WhatIf

        Shows what renaming the HR Database system would do, without doing it.

    .LINK
        Get-JIMConnectedSystem
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    [OutputType([PSCustomObject])]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [Alias('ConnectedSystemId')]
        [int]$Id,

        [ValidateNotNullOrEmpty()]
        [string]$Name,

        [string]$Description,

        [ValidateLength(0, 2000)]
        [string]$ChangeReason,

        [switch]$PassThru
    )

    begin { Assert-JIMConnected }

    process {
        $body = [ordered]@{}
        if ($PSBoundParameters.ContainsKey('Name')) { $body.name = $Name }
        if ($PSBoundParameters.ContainsKey('Description')) { $body.description = $Description }
        if ($body.Count -eq 0) {
            Write-Warning 'No updates specified.'
            return
        }
        if ($PSBoundParameters.ContainsKey('ChangeReason')) { $body.changeReason = $ChangeReason }
        if ($PSCmdlet.ShouldProcess("Connected System $Id", 'Update Connected System')) {
            try {
                $result = Invoke-JIMApi -Endpoint "/api/v1/synchronisation/connected-systems/$Id" -Method PUT -Body $body -ErrorAction Stop
                if ($PassThru) { $result }
            }
            catch {
                Write-JIMError -Cmdlet $PSCmdlet -ErrorRecord $_ -Activity 'update Connected System'
            }
        }
    }
}
