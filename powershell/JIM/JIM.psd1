@{
    RootModule           = 'JIM.psm1'
    ModuleVersion        = '0.1.0'
    GUID                 = 'eef7a09e-2af5-499c-bbae-5454c7c688d9'
    Author               = 'jim-edge'
    CompanyName          = 'jim-edge'
    Copyright            = '(c) jim-edge contributors.'
    Description          = 'PowerShell module for jim-edge, shaped like the JIM (Junctional Identity Manager) module: connect with an API key and manage Connected Systems, partitions, Run Profiles, API keys and Activities through the REST API.'
    PowerShellVersion    = '7.0'
    CompatiblePSEditions = @('Core')
    FunctionsToExport    = @(
        'Connect-JIM'
        'Disconnect-JIM'
        'Get-JIMHealth'
        'Get-JIMConnectorDefinition'
        'Get-JIMConnectedSystem'
        'New-JIMConnectedSystem'
        'Set-JIMConnectedSystem'
        'Remove-JIMConnectedSystem'
        'Get-JIMConnectedSystemPartition'
        'New-JIMConnectedSystemPartition'
        'Set-JIMConnectedSystemPartition'
        'Get-JIMRunProfile'
        'New-JIMRunProfile'
        'Set-JIMRunProfile'
        'Remove-JIMRunProfile'
        'Export-JIMRunProfileSet'
        'Sync-JIMRunProfileSet'
        'New-JIMApiKey'
        'Get-JIMApiKey'
        'Remove-JIMApiKey'
        'Get-JIMActivity'
        'Get-JIMConfigurationChangeHistory'
    )
    CmdletsToExport      = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('JIM', 'jim-edge', 'Identity', 'IdentityManagement', 'Synchronisation')
            ProjectUri = 'https://github.com/TetronIO/JIM'
        }
    }
}
