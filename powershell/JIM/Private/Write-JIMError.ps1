function Write-JIMError {
    <#
    .SYNOPSIS
        Writes a caught error as a non-terminating error of the calling cmdlet, prefixed with what
        the cmdlet was doing ("Failed to create Run Profile: <server message>").

    .DESCRIPTION
        Keeps the original error id, category and target object (the server envelope), so
        $error[0].TargetObject.validationErrors and $error[0].Exception.Data['StatusCode'] still work.
        With -ErrorAction Stop the caller gets a terminating error, as with any cmdlet.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [System.Management.Automation.PSCmdlet]$Cmdlet,

        [Parameter(Mandatory)]
        [System.Management.Automation.ErrorRecord]$ErrorRecord,

        [string]$Activity
    )

    $inner = $ErrorRecord.Exception
    $message = if ($Activity) { "Failed to ${Activity}: $($inner.Message)" } else { $inner.Message }
    $exception = [System.Exception]::new($message, $inner)
    foreach ($key in $inner.Data.Keys) { $exception.Data[$key] = $inner.Data[$key] }
    $errorId = ($ErrorRecord.FullyQualifiedErrorId -split ',')[0]
    $record = [System.Management.Automation.ErrorRecord]::new($exception, $errorId,
        $ErrorRecord.CategoryInfo.Category, $ErrorRecord.TargetObject)
    $Cmdlet.WriteError($record)
}
