function Get-JIMApiKey {
    <#
    .SYNOPSIS
        Gets API keys (never their values: only keyPrefix, the first 12 characters).

    .DESCRIPTION
        GET /api/v1/apikeys, or GET /api/v1/apikeys/{id} with -Id. -Name filters the list and
        supports wildcards.

    .PARAMETER Id
        The key's ID (a GUID).

    .PARAMETER Name
        Filter by name; supports wildcards.

    .EXAMPLE
        Get-JIMApiKey

        Lists all API keys.

    .EXAMPLE
        Get-JIMApiKey -Name "CI*"

        Lists the API keys whose names start with "CI".

    .EXAMPLE
        Get-JIMApiKey -Id "0b6f2c1e-8d0a-4d8e-9a51-3c2f7e6b9d10"

        Gets one API key.

    .LINK
        New-JIMApiKey
        Remove-JIMApiKey
    #>
    [CmdletBinding(DefaultParameterSetName = 'List')]
    [OutputType([PSCustomObject])]
    param(
        [Parameter(Mandatory, ParameterSetName = 'ById', Position = 0, ValueFromPipelineByPropertyName)]
        [guid]$Id,

        [Parameter(ParameterSetName = 'List')]
        [SupportsWildcards()]
        [string]$Name
    )

    begin { Assert-JIMConnected }

    process {
        try {
            if ($PSCmdlet.ParameterSetName -eq 'ById') {
                Invoke-JIMApi -Endpoint "/api/v1/apikeys/$Id" -ErrorAction Stop
                return
            }
            $keys = Invoke-JIMApi -Endpoint '/api/v1/apikeys' -ErrorAction Stop
            if ($Name) { $keys | Where-Object { $_.name -like $Name } } else { $keys }
        }
        catch {
            Write-JIMError -Cmdlet $PSCmdlet -ErrorRecord $_ -Activity 'get API key'
        }
    }
}
