function New-JIMErrorRecord {
    <#
    .SYNOPSIS
        Builds an ErrorRecord for the module's own (client-side) errors.
    #>
    [CmdletBinding()]
    [OutputType([System.Management.Automation.ErrorRecord])]
    param(
        [Parameter(Mandatory)]
        [string]$Message,

        [string]$ErrorId = 'JIM.Error',

        [System.Management.Automation.ErrorCategory]$Category = [System.Management.Automation.ErrorCategory]::NotSpecified,

        [object]$TargetObject,

        [System.Exception]$Exception
    )

    $ex = if ($Exception) { [System.Exception]::new($Message, $Exception) } else { [System.Exception]::new($Message) }
    [System.Management.Automation.ErrorRecord]::new($ex, $ErrorId, $Category, $TargetObject)
}
