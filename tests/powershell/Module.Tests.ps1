# Shape of the JIM module (no server needed): manifest, exported cmdlets, help, parameters.

BeforeDiscovery {
    $script:Cmdlets = @(
        'Connect-JIM', 'Disconnect-JIM', 'Get-JIMHealth', 'Get-JIMConnectorDefinition',
        'Get-JIMConnectedSystem', 'New-JIMConnectedSystem', 'Set-JIMConnectedSystem', 'Remove-JIMConnectedSystem',
        'Get-JIMConnectedSystemPartition', 'New-JIMConnectedSystemPartition', 'Set-JIMConnectedSystemPartition',
        'Get-JIMRunProfile', 'New-JIMRunProfile', 'Set-JIMRunProfile', 'Remove-JIMRunProfile',
        'Export-JIMRunProfileSet', 'Sync-JIMRunProfileSet',
        'New-JIMApiKey', 'Get-JIMApiKey', 'Remove-JIMApiKey', 'Get-JIMActivity', 'Get-JIMConfigurationChangeHistory')
    $script:Changing = $script:Cmdlets | Where-Object { $_ -match '^(New|Set|Remove|Sync)-' }
}

BeforeAll {
    $repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $script:ManifestPath = Join-Path $repoRoot 'powershell/JIM/JIM.psd1'
    $script:Expected = @(
        'Connect-JIM', 'Disconnect-JIM', 'Get-JIMHealth', 'Get-JIMConnectorDefinition',
        'Get-JIMConnectedSystem', 'New-JIMConnectedSystem', 'Set-JIMConnectedSystem', 'Remove-JIMConnectedSystem',
        'Get-JIMConnectedSystemPartition', 'New-JIMConnectedSystemPartition', 'Set-JIMConnectedSystemPartition',
        'Get-JIMRunProfile', 'New-JIMRunProfile', 'Set-JIMRunProfile', 'Remove-JIMRunProfile',
        'Export-JIMRunProfileSet', 'Sync-JIMRunProfileSet',
        'New-JIMApiKey', 'Get-JIMApiKey', 'Remove-JIMApiKey', 'Get-JIMActivity', 'Get-JIMConfigurationChangeHistory') | Sort-Object
    Import-Module $script:ManifestPath -Force
}

AfterAll {
    Remove-Module JIM -Force -ErrorAction SilentlyContinue
}

Describe 'Module' {
    It 'has a valid manifest' {
        $manifest = Test-ModuleManifest -Path $script:ManifestPath -ErrorAction Stop
        $manifest.Name | Should -Be 'JIM'
        $manifest.PowerShellVersion | Should -Be '7.0'
    }

    It 'exports exactly the documented cmdlets' {
        $exported = (Get-Command -Module JIM).Name | Sort-Object
        $exported | Should -Be $script:Expected
    }

    It 'keeps its helpers private' {
        Get-Command -Module JIM -Name Invoke-JIMApi -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Get-Command -Module JIM -Name Resolve-JIMConnectedSystem -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'has one file per public cmdlet' {
        $files = (Get-ChildItem (Join-Path $PSScriptRoot '../../powershell/JIM/Public') -Filter *.ps1).BaseName | Sort-Object
        $files | Should -Be $script:Expected
    }
}

Describe 'Help of <_>' -ForEach $script:Cmdlets {
    BeforeAll {
        $script:Help = Get-Help $_ -Full
    }

    It 'has a synopsis and a description' {
        $script:Help.Synopsis | Should -Not -BeNullOrEmpty
        $script:Help.Synopsis.StartsWith($_) | Should -BeFalse -Because 'an auto-generated synopsis (no comment-based help) starts with the syntax'
        ($script:Help.description | Out-String).Trim() | Should -Not -BeNullOrEmpty
    }

    It 'has at least one example' {
        @($script:Help.examples.example).Count | Should -BeGreaterThan 0
    }

    It 'documents every parameter' {
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
        $parameters = (Get-Command $_).Parameters.Keys | Where-Object { $_ -notin $common }
        foreach ($p in $parameters) {
            $doc = $script:Help.parameters.parameter | Where-Object { $_.name -eq $p }
            ($doc.description | Out-String).Trim() | Should -Not -BeNullOrEmpty -Because "parameter -$p needs a .PARAMETER description"
        }
    }
}

Describe '<_> supports -WhatIf and -Confirm' -ForEach $script:Changing {
    It 'declares SupportsShouldProcess' {
        $parameters = (Get-Command $_).Parameters
        $parameters.ContainsKey('WhatIf') | Should -BeTrue
        $parameters.ContainsKey('Confirm') | Should -BeTrue
    }
}

Describe 'New-JIMRunProfile parameters' {
    BeforeAll {
        $script:Command = Get-Command New-JIMRunProfile
    }

    It 'limits -RunType to the five run types' {
        $set = $script:Command.Parameters['RunType'].Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] }
        $set.ValidValues | Should -Be @('FullImport', 'DeltaImport', 'FullSynchronisation', 'DeltaSynchronisation', 'Export')
    }

    It 'tab-completes -RunType' {
        $line = 'New-JIMRunProfile -ConnectedSystemId 1 -Name x -RunType '
        $completions = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        ($completions | Sort-Object) | Should -Be @('DeltaImport', 'DeltaSynchronisation', 'Export', 'FullImport', 'FullSynchronisation')
        $line = 'New-JIMRunProfile -ConnectedSystemId 1 -Name x -RunType Delta'
        $completions = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        ($completions | Sort-Object) | Should -Be @('DeltaImport', 'DeltaSynchronisation')
    }

    It 'limits -PageSize to 1-10000' {
        $range = $script:Command.Parameters['PageSize'].Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateRangeAttribute] }
        $range.MinRange | Should -Be 1
        $range.MaxRange | Should -Be 10000
    }

    It 'refuses a page size of <_> before sending anything' -ForEach @(0, 10001) {
        { New-JIMRunProfile -ConnectedSystemId 1 -Name x -RunType FullImport -PageSize $_ } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,New-JIMRunProfile'
    }

    It 'refuses an unknown run type before sending anything' {
        { New-JIMRunProfile -ConnectedSystemId 1 -Name x -RunType Bogus } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,New-JIMRunProfile'
    }

    It 'has -ConnectedSystemId (alias Id, from the pipeline by property name) and -ConnectedSystemName in separate sets' {
        $id = $script:Command.Parameters['ConnectedSystemId']
        $id.Aliases | Should -Contain 'Id'
        ($id.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] }).ValueFromPipelineByPropertyName | Should -BeTrue
        $script:Command.Parameters['ConnectedSystemName'].ParameterSets.Keys | Should -Be @('ByName')
        $script:Command.Parameters['VerifyImportContentHashes'].SwitchParameter | Should -BeTrue
        $script:Command.Parameters['PartitionId'].ParameterType | Should -Be ([int])
        $script:Command.Parameters['FilePath'].ParameterType | Should -Be ([string])
    }

    It 'contains the examples of the product documentation verbatim' {
        $text = Get-Help New-JIMRunProfile -Examples | Out-String -Width 400
        foreach ($line in @(
                'Connect-JIM -Url "http://127.0.0.1:8080" -ApiKey "jim_ak_..."'
                'New-JIMRunProfile -ConnectedSystemId 1 -Name "Delta Import" -RunType DeltaImport'
                'New-JIMRunProfile -ConnectedSystemId 1 -Name "Full Import" -RunType FullImport -PageSize 500'
                'New-JIMRunProfile -ConnectedSystemId 1 -Name "Import (Users Partition)" -RunType DeltaImport -PartitionId 1'
                'New-JIMRunProfile -ConnectedSystemName "HR Database" -Name "CSV Import" -RunType FullImport -FilePath "/data/imports/employees.csv"'
                '$csId = 1'
                'New-JIMRunProfile -ConnectedSystemId $csId -Name "Full Import" -RunType FullImport'
                'New-JIMRunProfile -ConnectedSystemId $csId -Name "Delta Import" -RunType DeltaImport'
                'New-JIMRunProfile -ConnectedSystemId $csId -Name "Full Sync" -RunType FullSynchronisation'
                'New-JIMRunProfile -ConnectedSystemId $csId -Name "Delta Sync" -RunType DeltaSynchronisation'
                'New-JIMRunProfile -ConnectedSystemId $csId -Name "Export" -RunType Export')) {
            $text.Contains($line) | Should -BeTrue -Because "Get-Help New-JIMRunProfile -Examples should show: $line"
        }
    }
}

Describe 'Without a connection' {
    It '<_> says to run Connect-JIM' -ForEach @('Get-JIMConnectedSystem', 'Get-JIMApiKey', 'Get-JIMActivity', 'Get-JIMConnectorDefinition') {
        Disconnect-JIM
        { & $_ } | Should -Throw '*Connect-JIM*'
    }
}
