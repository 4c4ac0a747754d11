# The JIM module against a real jim-edge server, started and seeded by tests/powershell/run.sh:
#   JIM_TEST_URL       base URL of the server
#   JIM_TEST_API_KEY   its infrastructure (Administrator) API key
# Fixtures: connected system 1 "LDAP" (JIM LDAP Connector) with partition 1 "Users"; connected system
# 2 "HR Database" (JIM File Connector). Without JIM_TEST_URL every test here is skipped.
#
# The Describe blocks run in file order and build on each other (ids are assigned by the server).

BeforeDiscovery {
    $script:NoServer = -not $env:JIM_TEST_URL
}

BeforeAll {
    $repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    Import-Module (Join-Path $repoRoot 'powershell/JIM/JIM.psd1') -Force
    $script:Url = $env:JIM_TEST_URL
    $script:Key = $env:JIM_TEST_API_KEY

    # The example block of issue 8, character for character.
    $script:IssueExamples = @'
Connect-JIM -Url "http://127.0.0.1:8080" -ApiKey "jim_ak_..."
New-JIMRunProfile -ConnectedSystemId 1 -Name "Delta Import" -RunType DeltaImport
New-JIMRunProfile -ConnectedSystemId 1 -Name "Full Import" -RunType FullImport -PageSize 500
New-JIMRunProfile -ConnectedSystemId 1 -Name "Import (Users Partition)" -RunType DeltaImport -PartitionId 1
New-JIMRunProfile -ConnectedSystemName "HR Database" -Name "CSV Import" -RunType FullImport -FilePath "/data/imports/employees.csv"
$csId = 1
New-JIMRunProfile -ConnectedSystemId $csId -Name "Full Import" -RunType FullImport
New-JIMRunProfile -ConnectedSystemId $csId -Name "Delta Import" -RunType DeltaImport
New-JIMRunProfile -ConnectedSystemId $csId -Name "Full Sync" -RunType FullSynchronisation
New-JIMRunProfile -ConnectedSystemId $csId -Name "Delta Sync" -RunType DeltaSynchronisation
New-JIMRunProfile -ConnectedSystemId $csId -Name "Export" -RunType Export
'@

    # Runs a command and returns the error record it wrote or threw ($null if none).
    function script:Get-CommandError([scriptblock]$Command) {
        try {
            & $Command -ErrorAction Stop | Out-Null
        }
        catch {
            return $_
        }
        $null
    }

    function script:Connect-Test {
        Connect-JIM -Url $script:Url -ApiKey $script:Key | Out-Null
    }

    function script:New-RandomKey {
        'jim_ak_' + (-join (1..32 | ForEach-Object { '{0:x2}' -f (Get-Random -Maximum 256) }))
    }
}

AfterAll {
    Disconnect-JIM
    Remove-Module JIM -Force -ErrorAction SilentlyContinue
}

Describe 'The examples of the documentation, verbatim' -Skip:$script:NoServer {
    It 'runs the placeholder Connect-JIM line and says which check failed' {
        $connectLine = ($script:IssueExamples -split "`n")[0].Trim()
        $err = Get-CommandError ([scriptblock]::Create($connectLine))
        $err | Should -Not -BeNullOrEmpty -Because '"jim_ak_..." is a placeholder, not a key'
        if ($script:Url -eq 'http://127.0.0.1:8080') {
            # The suite's own server is on 8080: the server check passes, the key check fails.
            $err.Exception.Message | Should -BeLike 'API key check failed*Authentication required*'
        }
        else {
            $err.Exception.Message | Should -BeLike '*check failed*'
        }
    }

    It 'runs the whole example block with only the URL and key placeholders filled in' {
        $text = $script:IssueExamples.Replace('"http://127.0.0.1:8080"', "`"$($script:Url)`"").Replace('"jim_ak_..."', "`"$($script:Key)`"")
        $all = . ([scriptblock]::Create($text)) 2>&1
        $errors = @($all | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        $errors | ForEach-Object { Write-Host "example error: $($_.Exception.Message)" }
        $errors.Count | Should -Be 0
        # Connect-JIM returns the connection; New-JIMRunProfile (like JIM's) returns nothing without -PassThru.
        $output = @($all | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] })
        $output.Count | Should -Be 1
        $output.Url | Should -Be $script:Url
        $output.IsAdministrator | Should -BeTrue
        $output.Product | Should -Be 'jim-edge'
    }

    It 'created the profiles of connected system 1 as written' {
        $profiles = @(Get-JIMRunProfile -ConnectedSystemId 1 -ErrorAction Stop)
        ($profiles.name) | Should -Be @('Delta Import', 'Full Import', 'Import (Users Partition)', 'Full Import', 'Delta Import', 'Full Sync', 'Delta Sync', 'Export')
        ($profiles.runType) | Should -Be @('DeltaImport', 'FullImport', 'DeltaImport', 'FullImport', 'DeltaImport', 'FullSynchronisation', 'DeltaSynchronisation', 'Export')
        ($profiles.pageSize) | Should -Be @(100, 500, 100, 100, 100, 100, 100, 100)
        $profiles | ForEach-Object { $_.connectedSystemId | Should -Be 1 }
        $partitioned = $profiles[2]
        $partitioned.partitionId | Should -Be 1
        $partitioned.partitionName | Should -Be 'Users'
        $partitioned.targetsDeselectedPartition | Should -BeFalse
        $profiles[0].partitionId | Should -BeNullOrEmpty
        $profiles[0].filePath | Should -BeNullOrEmpty
        $profiles[0].verifyImportContentHashes | Should -BeFalse
    }

    It 'created the CSV import of "HR Database" as written' {
        $profiles = @(Get-JIMRunProfile -ConnectedSystemName 'HR Database' -ErrorAction Stop)
        $profiles.Count | Should -Be 1
        $profiles[0].name | Should -Be 'CSV Import'
        $profiles[0].runType | Should -Be 'FullImport'
        $profiles[0].filePath | Should -Be '/data/imports/employees.csv'
        $profiles[0].connectedSystemId | Should -Be 2
        $profiles[0].pageSize | Should -Be 100
    }
}

Describe 'Connect-JIM and Disconnect-JIM' -Skip:$script:NoServer {
    It 'connects with the infrastructure key and describes the connection' {
        $connection = Connect-JIM -Url $script:Url -ApiKey $script:Key
        $connection.Status | Should -Be 'healthy'
        $connection.Authorised | Should -BeTrue
        $connection.IsAdministrator | Should -BeTrue
        $connection.AuthMethod | Should -Be 'api_key'
        $connection.Roles | Should -Contain 'Administrator'
        $connection.ServerVersion | Should -Not -BeNullOrEmpty
        $connection.PSObject.Properties.Name | Should -Not -Contain 'ApiKey'
    }

    It 'accepts a URL with a trailing slash' {
        (Connect-JIM -Url "$($script:Url)/" -ApiKey $script:Key).Url | Should -Be $script:Url
    }

    It 'says the key failed for a well-formed but unknown key' {
        $err = Get-CommandError { Connect-JIM -Url $script:Url -ApiKey (New-RandomKey) }
        $err.Exception.Message | Should -BeLike 'API key check failed: the server at * is reachable and healthy, but the server rejected the API key*Authentication required*'
        $err.FullyQualifiedErrorId | Should -BeLike 'JIM.ApiKeyCheckFailed*'
        $err.CategoryInfo.Category | Should -Be 'AuthenticationError'
    }

    It 'says the key failed for a malformed key' {
        $err = Get-CommandError { Connect-JIM -Url $script:Url -ApiKey 'not-a-key' }
        $err.Exception.Message | Should -BeLike 'API key check failed*'
    }

    It 'leaves you disconnected after a failed Connect-JIM' {
        $null = Get-CommandError { Connect-JIM -Url $script:Url -ApiKey (New-RandomKey) }
        { Get-JIMConnectedSystem -ErrorAction Stop } | Should -Throw '*not connected*Connect-JIM*'
    }

    It 'says the server failed when nothing answers' {
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop()
        $err = Get-CommandError { Connect-JIM -Url "http://127.0.0.1:$port" -ApiKey $script:Key }
        $err.Exception.Message | Should -BeLike 'Server check failed*the API key was not checked*'
    }

    It 'refuses a URL that is not http(s)' {
        $err = Get-CommandError { Connect-JIM -Url 'ftp://example' -ApiKey $script:Key }
        $err.FullyQualifiedErrorId | Should -BeLike 'JIM.InvalidUrl*'
    }

    It 'Disconnect-JIM forgets the connection' {
        Connect-Test
        Disconnect-JIM
        { Get-JIMRunProfile -ConnectedSystemId 1 -ErrorAction Stop } | Should -Throw '*not connected*'
        Connect-Test
    }
}

Describe 'Get-JIMHealth' -Skip:$script:NoServer {
    BeforeAll { Connect-Test }

    It 'reads <Switch> (<Field> = <Value>)' -ForEach @(
        @{ Switch = 'health'; Field = 'status'; Value = 'healthy' }
        @{ Switch = 'Ready'; Field = 'status'; Value = 'ready' }
        @{ Switch = 'Live'; Field = 'status'; Value = 'alive' }
        @{ Switch = 'Version'; Field = 'product'; Value = 'jim-edge' }
    ) {
        $parameters = @{ ErrorAction = 'Stop' }
        if ($Switch -ne 'health') { $parameters[$Switch] = $true }
        (Get-JIMHealth @parameters).$Field | Should -Be $Value
    }

    It 'works without a connection given -Url' {
        Disconnect-JIM
        (Get-JIMHealth -Url $script:Url -ErrorAction Stop).status | Should -Be 'healthy'
        Connect-Test
    }
}

Describe 'Get-JIMConnectorDefinition' -Skip:$script:NoServer {
    BeforeAll { Connect-Test }

    It 'lists the four built-in connectors' {
        $definitions = @(Get-JIMConnectorDefinition -ErrorAction Stop)
        $definitions.Count | Should -Be 4
        ($definitions.name | Sort-Object) | Should -Be @('JIM File Connector', 'JIM LDAP Connector', 'JIM SCIM 2.0 Client Connector', 'JIM SQL Connector')
    }

    It 'gets one by -Id with its capabilities' {
        $ldap = Get-JIMConnectorDefinition -Id 1 -ErrorAction Stop
        $ldap.name | Should -Be 'JIM LDAP Connector'
        $ldap.supportsPartitions | Should -BeTrue
        $ldap.supportsDeltaImport | Should -BeTrue
    }

    It 'gets one by exact -Name' {
        $file = Get-JIMConnectorDefinition -Name 'JIM File Connector' -ErrorAction Stop
        $file.id | Should -Be 2
        $file.supportsDeltaImport | Should -BeFalse
        $file.supportsFilePaths | Should -BeTrue
    }

    It 'filters by a wildcard -Name' {
        @(Get-JIMConnectorDefinition -Name '*SQL*' -ErrorAction Stop).name | Should -Be @('JIM SQL Connector')
    }

    It 'reports an unknown id with the server message' {
        $err = Get-CommandError { Get-JIMConnectorDefinition -Id 999 }
        $err.Exception.Data['StatusCode'] | Should -Be 404
        $err.Exception.Message.Contains($err.TargetObject.message) | Should -BeTrue
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}

Describe 'Connected systems' -Skip:$script:NoServer {
    BeforeAll { Connect-Test }

    It 'lists the seeded systems' {
        $systems = @(Get-JIMConnectedSystem -ErrorAction Stop)
        ($systems | Where-Object id -eq 1).name | Should -Be 'LDAP'
        ($systems | Where-Object id -eq 2).name | Should -Be 'HR Database'
        ($systems | Where-Object id -eq 2).connectorName | Should -Be 'JIM File Connector'
    }

    It 'gets one by -Id' {
        $ldap = Get-JIMConnectedSystem -Id 1 -ErrorAction Stop
        $ldap.name | Should -Be 'LDAP'
        $ldap.connector.name | Should -Be 'JIM LDAP Connector'
        $ldap.runProfileCount | Should -Be 8
        $ldap.partitionCount | Should -Be 1
    }

    It 'filters with a case-insensitive wildcard -Name' {
        @(Get-JIMConnectedSystem -Name 'hr*' -ErrorAction Stop).name | Should -Be @('HR Database')
    }

    It 'creates one with New-JIMConnectedSystem -PassThru (by connector name)' {
        $created = New-JIMConnectedSystem -Name 'Scratch' -ConnectorDefinitionName 'JIM SQL Connector' -Description 'to be deleted' -PassThru -ErrorAction Stop
        $created.id | Should -BeGreaterThan 2
        $created.connector.id | Should -Be 4
        $created.description | Should -Be 'to be deleted'
    }

    It 'New-JIMConnectedSystem -WhatIf creates nothing' {
        New-JIMConnectedSystem -Name 'Never' -ConnectorDefinitionId 3 -WhatIf
        @(Get-JIMConnectedSystem -Name 'Never').Count | Should -Be 0
    }

    It 'reports a duplicate name with the server message (409)' {
        $err = Get-CommandError { New-JIMConnectedSystem -Name 'ldap' -ConnectorDefinitionId 1 }
        $err.Exception.Data['StatusCode'] | Should -Be 409
        $err.CategoryInfo.Category | Should -Be 'ResourceExists'
        $err.Exception.Message | Should -BeLike 'Failed to create Connected System: *'
        $err.Exception.Message.Contains($err.TargetObject.message) | Should -BeTrue
    }

    It 'Set-JIMConnectedSystem -WhatIf changes nothing' {
        $id = (Get-JIMConnectedSystem -Name 'Scratch').id
        Set-JIMConnectedSystem -Id $id -Name 'Renamed' -Description 'changed' -WhatIf
        $after = Get-JIMConnectedSystem -Id $id
        $after.name | Should -Be 'Scratch'
        $after.description | Should -Be 'to be deleted'
    }

    It 'Set-JIMConnectedSystem updates from the pipeline' {
        $updated = Get-JIMConnectedSystem -Name 'Scratch' | Set-JIMConnectedSystem -Description 'changed' -PassThru -ErrorAction Stop
        $updated.name | Should -Be 'Scratch'
        $updated.description | Should -Be 'changed'
    }

    It 'Remove-JIMConnectedSystem -WhatIf deletes nothing' {
        $id = (Get-JIMConnectedSystem -Name 'Scratch').id
        Remove-JIMConnectedSystem -Id $id -WhatIf
        Remove-JIMConnectedSystem -Id $id -Force -WhatIf
        (Get-JIMConnectedSystem -Id $id).name | Should -Be 'Scratch'
    }

    It 'Remove-JIMConnectedSystem -Force deletes it' {
        $id = (Get-JIMConnectedSystem -Name 'Scratch').id
        $removed = Remove-JIMConnectedSystem -Id $id -Force -PassThru -ErrorAction Stop
        $removed.name | Should -Be 'Scratch'
        $err = Get-CommandError { Get-JIMConnectedSystem -Id $id }
        $err.Exception.Data['StatusCode'] | Should -Be 404
        $err.Exception.Message | Should -BeLike "*$id*"
    }

    It 'reports an unknown system id with the server message' {
        $err = Get-CommandError { Get-JIMConnectedSystem -Id 424242 }
        $err.TargetObject.code | Should -Be 'NOT_FOUND'
        $err.Exception.Message | Should -Be "Failed to get Connected System: $($err.TargetObject.message)"
    }
}

Describe 'Connected systems beyond one page (120 more, pageSize 100)' -Skip:$script:NoServer {
    BeforeAll {
        Connect-Test
        1..120 | ForEach-Object { New-JIMConnectedSystem -Name ('Bulk {0:D3}' -f $_) -ConnectorDefinitionId 3 -ErrorAction Stop }
    }

    It 'Get-JIMConnectedSystem reads every page' {
        @(Get-JIMConnectedSystem -ErrorAction Stop).Count | Should -BeGreaterOrEqual 122
        $bulk = @(Get-JIMConnectedSystem -Name 'Bulk*' -ErrorAction Stop)
        $bulk.Count | Should -Be 120
        ($bulk.name | Sort-Object -Unique).Count | Should -Be 120
    }

    It '-ConnectedSystemName finds a system on a later page' {
        New-JIMRunProfile -ConnectedSystemName 'bulk 119' -Name 'Late' -RunType FullImport -ErrorAction Stop
        $system = Get-JIMConnectedSystem -Name 'Bulk 119'
        (Get-JIMRunProfile -ConnectedSystemId $system.id).name | Should -Be 'Late'
        (Get-JIMRunProfile -ConnectedSystemName 'BULK 119').name | Should -Be 'Late'
    }

    It '-ConnectedSystemName takes no wildcards and says so' {
        $err = Get-CommandError { Get-JIMRunProfile -ConnectedSystemName 'Bulk*' }
        $err.Exception.Message | Should -BeLike "*Connected System not found: 'Bulk`*'*"
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'reports an unknown name clearly' {
        $err = Get-CommandError { New-JIMRunProfile -ConnectedSystemName 'No Such System' -Name x -RunType Export }
        $err.Exception.Message | Should -BeLike "Failed to create Run Profile: Connected System not found: 'No Such System'*"
    }
}

Describe 'Partitions' -Skip:$script:NoServer {
    BeforeAll { Connect-Test }

    It 'lists the seeded partition' {
        $partitions = @(Get-JIMConnectedSystemPartition -ConnectedSystemId 1 -ErrorAction Stop)
        $partitions.Count | Should -Be 1
        $partitions[0].id | Should -Be 1
        $partitions[0].name | Should -Be 'Users'
        $partitions[0].selected | Should -BeTrue
    }

    It 'creates one with New-JIMConnectedSystemPartition' {
        $groups = New-JIMConnectedSystemPartition -ConnectedSystemName 'LDAP' -Name 'Groups' -ExternalId 'OU=Groups,DC=corp,DC=example' -PassThru -ErrorAction Stop
        $groups.name | Should -Be 'Groups'
        $groups.selected | Should -BeTrue
        $groups.connectedSystemId | Should -Be 1
        (Get-JIMConnectedSystem -Name LDAP | Get-JIMConnectedSystemPartition -Name 'Gr*').externalId | Should -Be 'OU=Groups,DC=corp,DC=example'
    }

    It 'shows the server message when the connector has no partitions' {
        $err = Get-CommandError { New-JIMConnectedSystemPartition -ConnectedSystemId 2 -Name 'Nope' }
        $err.Exception.Data['StatusCode'] | Should -Be 400
        $err.Exception.Message.Contains($err.TargetObject.message) | Should -BeTrue
    }

    It 'Set-JIMConnectedSystemPartition -WhatIf changes nothing' {
        Get-JIMConnectedSystemPartition -ConnectedSystemId 1 -Name Groups | Set-JIMConnectedSystemPartition -Selected $false -WhatIf
        (Get-JIMConnectedSystemPartition -ConnectedSystemId 1 -Name Groups).selected | Should -BeTrue
    }

    It 'deselects a partition, and profiles that target it say so' {
        $groups = Get-JIMConnectedSystemPartition -ConnectedSystemId 1 -Name Groups
        $rp = New-JIMRunProfile -ConnectedSystemId 1 -Name 'Groups Import' -RunType FullImport -PartitionId $groups.id -PassThru -ErrorAction Stop
        $rp.targetsDeselectedPartition | Should -BeFalse
        $updated = $groups | Set-JIMConnectedSystemPartition -Selected $false -PassThru -ErrorAction Stop
        $updated.selected | Should -BeFalse
        (Get-JIMRunProfile -ConnectedSystemId 1 -Name 'Groups Import').targetsDeselectedPartition | Should -BeTrue
        Set-JIMConnectedSystemPartition -ConnectedSystemName LDAP -PartitionId $groups.id -Selected $true -ErrorAction Stop
        (Get-JIMRunProfile -ConnectedSystemId 1 -Name 'Groups Import').targetsDeselectedPartition | Should -BeFalse
        Remove-JIMRunProfile -ConnectedSystemId 1 -RunProfileId $rp.id -Force -ErrorAction Stop
    }
}

Describe 'Run profiles' -Skip:$script:NoServer {
    BeforeAll { Connect-Test }

    It 'an unsupported run type shows the server''s field message' {
        $err = Get-CommandError { New-JIMRunProfile -ConnectedSystemName "HR Database" -Name x -RunType DeltaImport }
        $err | Should -Not -BeNullOrEmpty
        $err.Exception.Data['StatusCode'] | Should -Be 400
        $err.TargetObject.code | Should -Be 'VALIDATION_ERROR'
        $fieldMessages = @($err.TargetObject.validationErrors.runType)
        $fieldMessages.Count | Should -BeGreaterThan 0 -Because 'API.md: every 400 caused by a field names that field'
        $err.Exception.Message.Contains($err.TargetObject.message) | Should -BeTrue
        foreach ($m in $fieldMessages) { $err.Exception.Message.Contains("runType: $m") | Should -BeTrue }
        @(Get-JIMRunProfile -ConnectedSystemId 2 -Name x).Count | Should -Be 0
    }

    It 'an unknown system id shows the server''s message' {
        $err = Get-CommandError { New-JIMRunProfile -ConnectedSystemId 9999 -Name 'x' -RunType FullImport }
        $err.Exception.Data['StatusCode'] | Should -Be 404
        $err.TargetObject.message | Should -BeLike '*9999*'
        $err.Exception.Message | Should -Be "Failed to create Run Profile: $($err.TargetObject.message)"
        $err = Get-CommandError { Get-JIMRunProfile -ConnectedSystemId 9999 }
        $err.Exception.Data['StatusCode'] | Should -Be 404
    }

    It 'a partition of another system is refused with the server''s message' {
        $err = Get-CommandError { New-JIMRunProfile -ConnectedSystemId 2 -Name 'x' -RunType FullImport -PartitionId 1 }
        $err.Exception.Data['StatusCode'] | Should -Be 400
        $err.Exception.Message.Contains($err.TargetObject.message) | Should -BeTrue
    }

    It 'Verification Mode is refused on a non-FullImport profile' {
        $err = Get-CommandError { New-JIMRunProfile -ConnectedSystemId 1 -Name 'x' -RunType DeltaImport -VerifyImportContentHashes }
        $err.Exception.Data['StatusCode'] | Should -Be 400
        $err.Exception.Message.Contains($err.TargetObject.message) | Should -BeTrue
    }

    It 'Verification Mode is accepted on a FullImport profile' {
        $rp = New-JIMRunProfile -ConnectedSystemId 1 -Name 'Verify' -RunType FullImport -VerifyImportContentHashes -PageSize 10000 -PassThru -ErrorAction Stop
        $rp.verifyImportContentHashes | Should -BeTrue
        $rp.pageSize | Should -Be 10000
        Remove-JIMRunProfile -ConnectedSystemId 1 -RunProfileId $rp.id -Confirm:$false -ErrorAction Stop
    }

    It 'New-JIMRunProfile -WhatIf creates nothing' {
        New-JIMRunProfile -ConnectedSystemId 1 -Name 'WhatIf Profile' -RunType Export -WhatIf
        @(Get-JIMRunProfile -ConnectedSystemId 1 -Name 'WhatIf*').Count | Should -Be 0
    }

    It 'Get-JIMRunProfile filters by a wildcard -Name' {
        (Get-JIMRunProfile -ConnectedSystemId 1 -Name '*Sync').name | Should -Be @('Full Sync', 'Delta Sync')
    }

    It 'Get-JIMConnectedSystem -Name HR* | Get-JIMRunProfile' {
        $profiles = @(Get-JIMConnectedSystem -Name HR* | Get-JIMRunProfile)
        $profiles.Count | Should -Be 1
        $profiles[0].name | Should -Be 'CSV Import'
        $profiles[0].connectedSystemId | Should -Be 2
    }

    It 'pipes several systems into New-JIMRunProfile' {
        Get-JIMConnectedSystem -Name 'Bulk 00[12]' | New-JIMRunProfile -Name 'Piped Sync' -RunType FullSynchronisation -ErrorAction Stop
        $piped = @(Get-JIMConnectedSystem -Name 'Bulk 00[12]' | Get-JIMRunProfile -Name 'Piped Sync')
        $piped.Count | Should -Be 2
        ($piped.connectedSystemId | Sort-Object -Unique).Count | Should -Be 2
    }

    It 'Set-JIMRunProfile -WhatIf changes nothing' {
        $rp = Get-JIMRunProfile -ConnectedSystemId 2 -Name 'CSV Import'
        Set-JIMRunProfile -ConnectedSystemId 2 -RunProfileId $rp.id -Name 'Renamed' -PageSize 42 -WhatIf
        $rp | Set-JIMRunProfile -FilePath '' -WhatIf
        $after = Get-JIMRunProfile -ConnectedSystemId 2 -Name 'CSV Import'
        $after.pageSize | Should -Be 100
        $after.filePath | Should -Be '/data/imports/employees.csv'
    }

    It 'Set-JIMRunProfile updates only the given fields' {
        $rp = Get-JIMRunProfile -ConnectedSystemName 'HR Database' -Name 'CSV Import'
        $updated = Set-JIMRunProfile -ConnectedSystemName 'HR Database' -RunProfileId $rp.id -PageSize 1000 -PassThru -ErrorAction Stop
        $updated.pageSize | Should -Be 1000
        $updated.name | Should -Be 'CSV Import'
        $updated.filePath | Should -Be '/data/imports/employees.csv'
        $updated.runType | Should -Be 'FullImport'
    }

    It 'Set-JIMRunProfile takes Run Profiles from the pipeline and clears a file path with ""' {
        $updated = Get-JIMRunProfile -ConnectedSystemId 2 -Name 'CSV Import' | Set-JIMRunProfile -Name 'CSV Import (nightly)' -FilePath '' -PassThru -ErrorAction Stop
        $updated.name | Should -Be 'CSV Import (nightly)'
        $updated.filePath | Should -BeNullOrEmpty
        $updated.pageSize | Should -Be 1000
        $updated = Set-JIMRunProfile -InputObject $updated -Name 'CSV Import' -FilePath '/data/imports/employees.csv' -PassThru -ErrorAction Stop
        $updated.filePath | Should -Be '/data/imports/employees.csv'
    }

    It 'Set-JIMRunProfile shows the server''s message for a partition of another system' {
        $rp = Get-JIMRunProfile -ConnectedSystemId 2 -Name 'CSV Import'
        $err = Get-CommandError { Set-JIMRunProfile -ConnectedSystemId 2 -RunProfileId $rp.id -PartitionId 1 }
        $err.Exception.Data['StatusCode'] | Should -Be 400
        $err.Exception.Message.Contains($err.TargetObject.message) | Should -BeTrue
    }

    It 'Set-JIMRunProfile on a Run Profile of another system is not found' {
        $rp = Get-JIMRunProfile -ConnectedSystemId 2 -Name 'CSV Import'
        $err = Get-CommandError { Set-JIMRunProfile -ConnectedSystemId 1 -RunProfileId $rp.id -PageSize 5 }
        $err.Exception.Data['StatusCode'] | Should -Be 404
    }

    It 'Set-JIMRunProfile with nothing to change warns and sends nothing' {
        $rp = Get-JIMRunProfile -ConnectedSystemId 2 -Name 'CSV Import'
        Set-JIMRunProfile -ConnectedSystemId 2 -RunProfileId $rp.id -WarningVariable warnings -WarningAction SilentlyContinue
        $warnings | Should -BeLike '*No updates*'
    }

    It 'Remove-JIMRunProfile -WhatIf deletes nothing' {
        $before = @(Get-JIMRunProfile -ConnectedSystemId 1).Count
        Remove-JIMRunProfile -ConnectedSystemId 1 -RunProfileId (Get-JIMRunProfile -ConnectedSystemId 1 -Name 'Export').id -WhatIf
        Get-JIMRunProfile -ConnectedSystemId 1 -Name '*Sync' | Remove-JIMRunProfile -Force -WhatIf
        @(Get-JIMRunProfile -ConnectedSystemId 1).Count | Should -Be $before
    }

    It 'Remove-JIMRunProfile deletes by id and from the pipeline' {
        $doomed = New-JIMRunProfile -ConnectedSystemId 1 -Name 'Doomed' -RunType Export -PassThru -ErrorAction Stop
        $removed = Remove-JIMRunProfile -ConnectedSystemName 'LDAP' -RunProfileId $doomed.id -Force -PassThru -ErrorAction Stop
        $removed.name | Should -Be 'Doomed'
        Get-JIMConnectedSystem -Name 'Bulk 00[12]' | Get-JIMRunProfile -Name 'Piped Sync' | Remove-JIMRunProfile -Force -ErrorAction Stop
        @(Get-JIMConnectedSystem -Name 'Bulk 00[12]' | Get-JIMRunProfile).Count | Should -Be 0
    }

    It 'Remove-JIMRunProfile of an unknown id is an error' {
        $err = Get-CommandError { Remove-JIMRunProfile -ConnectedSystemId 1 -RunProfileId 987654 -Force }
        $err.Exception.Message | Should -BeLike '*987654*not found*'
    }
}

Describe 'API keys' -Skip:$script:NoServer {
    BeforeAll { Connect-Test }

    It 'New-JIMApiKey -PassThru returns the key once' {
        $script:NewKey = New-JIMApiKey -Name 'Pester admin' -Description 'made by the Pester suite' -RoleIds 1 -PassThru -ErrorAction Stop
        $script:NewKey.key | Should -MatchExactly '^jim_ak_[0-9a-f]{64}$'
        $script:NewKey.keyPrefix | Should -Be $script:NewKey.key.Substring(0, 12)
        $script:NewKey.roles.name | Should -Contain 'Administrator'
        $script:NewKey.isEnabled | Should -BeTrue
    }

    It 'Get-JIMApiKey lists and gets keys, never their values' {
        $listed = @(Get-JIMApiKey -Name 'Pester*' -ErrorAction Stop)
        $listed.Count | Should -Be 1
        $listed[0].PSObject.Properties.Name | Should -Not -Contain 'key'
        (Get-JIMApiKey -Id $script:NewKey.id -ErrorAction Stop).name | Should -Be 'Pester admin'
        @(Get-JIMApiKey -ErrorAction Stop).Count | Should -BeGreaterOrEqual 2
    }

    It 'the new key can connect' {
        $connection = Connect-JIM -Url $script:Url -ApiKey $script:NewKey.key
        $connection.KeyName | Should -Be 'Pester admin'
        $connection.IsAdministrator | Should -BeTrue
        @(Get-JIMConnectedSystem -Name LDAP -ErrorAction Stop).Count | Should -Be 1
        Connect-Test
    }

    It 'a key without roles connects with a warning and is refused (403) with the server message' {
        $plain = New-JIMApiKey -Name 'Pester no roles' -PassThru -ErrorAction Stop
        $connection = Connect-JIM -Url $script:Url -ApiKey $plain.key -WarningVariable warnings -WarningAction SilentlyContinue
        $connection.IsAdministrator | Should -BeFalse
        $warnings | Should -BeLike '*Administrator*'
        $err = Get-CommandError { Get-JIMConnectedSystem }
        $err.Exception.Data['StatusCode'] | Should -Be 403
        $err.CategoryInfo.Category | Should -Be 'PermissionDenied'
        $err.Exception.Message.Contains($err.TargetObject.message) | Should -BeTrue
        Connect-Test
        Remove-JIMApiKey -Id $plain.id -Force -ErrorAction Stop
    }

    It 'New-JIMApiKey without -PassThru warns that the value is gone' {
        New-JIMApiKey -Name 'Pester lost' -WarningVariable warnings -WarningAction SilentlyContinue | Should -BeNullOrEmpty
        $warnings | Should -BeLike '*shown only once*'
        Get-JIMApiKey -Name 'Pester lost' | Remove-JIMApiKey -Force -ErrorAction Stop
        @(Get-JIMApiKey -Name 'Pester lost').Count | Should -Be 0
    }

    It 'New-JIMApiKey -WhatIf creates nothing' {
        New-JIMApiKey -Name 'Pester whatif' -RoleIds 1 -PassThru -WhatIf | Should -BeNullOrEmpty
        @(Get-JIMApiKey -Name 'Pester whatif').Count | Should -Be 0
    }

    It 'Remove-JIMApiKey -WhatIf deletes nothing' {
        Remove-JIMApiKey -Id $script:NewKey.id -WhatIf
        Get-JIMApiKey -Name 'Pester admin' | Remove-JIMApiKey -Force -WhatIf
        (Get-JIMApiKey -Id $script:NewKey.id).name | Should -Be 'Pester admin'
    }

    It 'Remove-JIMApiKey deletes it, and the key stops working' {
        $removed = Remove-JIMApiKey -Id $script:NewKey.id -Force -PassThru -ErrorAction Stop
        $removed.name | Should -Be 'Pester admin'
        $err = Get-CommandError { Get-JIMApiKey -Id $script:NewKey.id }
        $err.Exception.Data['StatusCode'] | Should -Be 404
        $err = Get-CommandError { Connect-JIM -Url $script:Url -ApiKey $script:NewKey.key }
        $err.Exception.Message | Should -BeLike 'API key check failed*'
        Connect-Test
    }

    It 'a key cannot delete itself (server message shown)' {
        $self = Get-JIMApiKey | Where-Object { $script:Key.StartsWith($_.keyPrefix) } | Select-Object -First 1
        $self | Should -Not -BeNullOrEmpty
        $err = Get-CommandError { Remove-JIMApiKey -Id $self.id -Force }
        $err.Exception.Data['StatusCode'] | Should -Be 409
        $err.Exception.Message.Contains($err.TargetObject.message) | Should -BeTrue
    }
}

Describe 'Activities' -Skip:$script:NoServer {
    BeforeAll { Connect-Test }

    It 'Get-JIMActivity lists the newest first' {
        $activities = @(Get-JIMActivity -PageSize 5 -ErrorAction Stop)
        $activities.Count | Should -Be 5
        $activities[0].created | Should -BeGreaterOrEqual $activities[-1].created
        $activities | ForEach-Object { $_.status | Should -Be 'Complete' }
    }

    It 'records the Run Profile creates of the examples' {
        $creates = @(Get-JIMActivity -ConnectedSystemId 1 -TargetType ConnectedSystemRunProfile -All -ErrorAction Stop |
                Where-Object targetOperationType -eq 'Create')
        $creates.Count | Should -BeGreaterOrEqual 8
        $creates.targetName | Should -Contain 'Import (Users Partition)'
        $creates | ForEach-Object { $_.connectedSystemId | Should -Be 1 }
        $creates[0].initiatedByType | Should -Be 'ApiKey'
    }

    It 'pages with -Page and -PageSize' {
        $first = @(Get-JIMActivity -Page 1 -PageSize 3)
        $second = @(Get-JIMActivity -Page 2 -PageSize 3)
        $second.Count | Should -Be 3
        ($first.id + $second.id | Sort-Object -Unique).Count | Should -Be 6
    }

    It 'gets one by -Id' {
        $latest = Get-JIMActivity -PageSize 1
        (Get-JIMActivity -Id $latest.id -ErrorAction Stop).id | Should -Be $latest.id
    }

    It 'an unknown id is not found' {
        $err = Get-CommandError { Get-JIMActivity -Id ([guid]::NewGuid()) }
        $err.Exception.Data['StatusCode'] | Should -Be 404
    }
}

Describe 'Run-profile sets (Export-JIMRunProfileSet, Sync-JIMRunProfileSet)' -Skip:$script:NoServer {
    BeforeAll {
        Connect-Test
        $script:SetSystem = New-JIMConnectedSystem -Name "Set system $(Get-Random)" -ConnectorDefinitionId 1 -PassThru -ErrorAction Stop
        $script:SetFile = Join-Path ([System.IO.Path]::GetTempPath()) "jim-set-$(Get-Random).json"
        $script:Standard = 'Full Import:FullImport', 'Delta Import:DeltaImport', 'Full Sync:FullSynchronisation',
        'Delta Sync:DeltaSynchronisation', 'Export:Export' | ForEach-Object {
            $n, $t = $_ -split ':'; [pscustomobject]@{ name = $n; runType = $t }
        }
    }
    AfterAll { Remove-Item -LiteralPath $script:SetFile -ErrorAction SilentlyContinue }

    It '-WhatIf returns the plan as objects and changes nothing' {
        $plan = Sync-JIMRunProfileSet -ConnectedSystemId $script:SetSystem.id -InputObject $script:Standard -WhatIf
        @($plan.create).Count | Should -Be 5
        $plan.dryRun | Should -BeTrue
        @(Get-JIMRunProfile -ConnectedSystemId $script:SetSystem.id).Count | Should -Be 0
    }

    It 'applies the standard set in one call, with the change reason on every activity' {
        $plan = Sync-JIMRunProfileSet -ConnectedSystemId $script:SetSystem.id -InputObject $script:Standard -ChangeReason 'CHG-7' -Confirm:$false
        $plan.dryRun | Should -BeFalse
        @($plan.create).Count | Should -Be 5
        @(Get-JIMRunProfile -ConnectedSystemId $script:SetSystem.id).name | Should -Be @('Full Import', 'Delta Import', 'Full Sync', 'Delta Sync', 'Export')
        $activities = @(Get-JIMActivity -ConnectedSystemId $script:SetSystem.id -TargetType ConnectedSystemRunProfile -PageSize 5)
        $activities | ForEach-Object { $_.changeReason | Should -Be 'CHG-7' }
    }

    It 'exports to a file that syncs back with an empty plan' {
        $file = Export-JIMRunProfileSet -ConnectedSystemName $script:SetSystem.name -Path $script:SetFile
        $file.FullName | Should -Be $script:SetFile
        (Get-Content -Raw $script:SetFile | ConvertFrom-Json).runProfiles.Count | Should -Be 5
        $plan = Sync-JIMRunProfileSet -ConnectedSystemId $script:SetSystem.id -Path $script:SetFile -Confirm:$false
        @($plan.create).Count + @($plan.update).Count + @($plan.delete).Count | Should -Be 0
        @($plan.unchanged).Count | Should -Be 5
    }

    It 'an edited file updates and prunes; -NoPrune keeps what it does not name' {
        $doc = Get-Content -Raw $script:SetFile | ConvertFrom-Json
        $doc.runProfiles[0].pageSize = 500
        $doc.runProfiles = @($doc.runProfiles[0], $doc.runProfiles[1])
        $doc | ConvertTo-Json -Depth 5 | Set-Content -LiteralPath $script:SetFile
        $kept = Sync-JIMRunProfileSet -ConnectedSystemId $script:SetSystem.id -Path $script:SetFile -NoPrune -Confirm:$false
        @($kept.update).Count | Should -Be 1
        $kept.update[0].changes.pageSize.to | Should -Be 500
        @($kept.delete).Count | Should -Be 0
        $pruned = Sync-JIMRunProfileSet -ConnectedSystemId $script:SetSystem.id -Path $script:SetFile -Confirm:$false
        @($pruned.delete).Count | Should -Be 3
        @(Get-JIMRunProfile -ConnectedSystemId $script:SetSystem.id).Count | Should -Be 2
    }

    It 'an invalid set is refused whole, with the item named' {
        $bad = @([pscustomobject]@{ name = 'ok'; runType = 'Export' }, [pscustomobject]@{ name = 'bad'; runType = 'Export'; pageSize = 0 })
        $err = Get-CommandError { Sync-JIMRunProfileSet -ConnectedSystemId $script:SetSystem.id -InputObject $bad -Confirm:$false }
        $err.Exception.Data['StatusCode'] | Should -Be 400
        "$($err.Exception.Message) $($err.ErrorDetails.Message)" | Should -Match 'runProfiles\[1\]\.pageSize'
        @(Get-JIMRunProfile -ConnectedSystemId $script:SetSystem.id).Count | Should -Be 2
    }
}

Describe '-ChangeReason on New-, Set- and Remove-JIMRunProfile' -Skip:$script:NoServer {
    BeforeAll { Connect-Test }

    It 'keeps each reason on the activity of its change' {
        $rp = New-JIMRunProfile -ConnectedSystemId 1 -Name 'Reasoned' -RunType Export -ChangeReason 'CHG-1' -PassThru -ErrorAction Stop
        (Get-JIMActivity -PageSize 1).changeReason | Should -Be 'CHG-1'
        Set-JIMRunProfile -ConnectedSystemId 1 -RunProfileId $rp.id -PageSize 42 -ChangeReason 'CHG-2 & more' -ErrorAction Stop
        (Get-JIMActivity -PageSize 1).changeReason | Should -Be 'CHG-2 & more'
        Remove-JIMRunProfile -ConnectedSystemId 1 -RunProfileId $rp.id -ChangeReason 'retired: CHG-3?' -Force -ErrorAction Stop
        $deleted = Get-JIMActivity -PageSize 1
        $deleted.targetOperationType | Should -Be 'Delete'
        $deleted.changeReason | Should -Be 'retired: CHG-3?'
    }
}

Describe 'Get-JIMConfigurationChangeHistory and -ChangeReason on systems and keys' -Skip:$script:NoServer {
    BeforeAll {
        Connect-Test
        $script:HistSystem = New-JIMConnectedSystem -Name 'History' -ConnectorDefinitionId 1 -ChangeReason 'onboarding' -PassThru -ErrorAction Stop
        $script:HistProfile = New-JIMRunProfile -ConnectedSystemId $script:HistSystem.id -Name 'Full Import' -RunType FullImport -ChangeReason 'CHG-1' -PassThru -ErrorAction Stop
        Set-JIMRunProfile -ConnectedSystemId $script:HistSystem.id -RunProfileId $script:HistProfile.id -PageSize 500 -ErrorAction Stop
        Set-JIMConnectedSystem -Id $script:HistSystem.id -Description 'the directory' -ChangeReason 'documented' -ErrorAction Stop
        # Versions: 1 create, 2 profile created, 3 page size, 4 description.
    }

    It 'lists the versions newest first with who, when and why' {
        $versions = @(Get-JIMConfigurationChangeHistory -Type ConnectedSystem -Id $script:HistSystem.id -ErrorAction Stop)
        $versions.Count | Should -Be 4
        $versions[0].version | Should -Be 4
        $versions[0].reason | Should -Be 'documented'
        $versions[3].operation | Should -Be 'Create'
        $versions[3].reason | Should -Be 'onboarding'
        $versions[2].reason | Should -Be 'CHG-1'
        @(Get-JIMConfigurationChangeHistory -Type ConnectedSystem -Id $script:HistSystem.id -Page 2 -PageSize 3).Count | Should -Be 1
        @(Get-JIMConfigurationChangeHistory -Type ConnectedSystem -Id $script:HistSystem.id -All).Count | Should -Be 4
    }

    It 'gets one version with its snapshot, or its diff with -AsDiff' {
        $v2 = Get-JIMConfigurationChangeHistory -Type ConnectedSystem -Id $script:HistSystem.id -Version 2 -ErrorAction Stop
        $v2.snapshot.objectName | Should -Be 'History'
        $profiles = $v2.snapshot.root.children | Where-Object key -eq 'runProfiles'
        @($profiles.children).Count | Should -Be 1
        $profiles.children[0].itemId | Should -Be $script:HistProfile.id
        $diff = Get-JIMConfigurationChangeHistory -Type ConnectedSystem -Id $script:HistSystem.id -Version 3 -AsDiff -ErrorAction Stop
        $diff.oldVersion | Should -Be 2
        $diff.modifiedCount | Should -Be 1
    }

    It 'compares two versions, as readable rows with -AsDiff' {
        $diff = Get-JIMConfigurationChangeHistory -Type ConnectedSystem -Id $script:HistSystem.id -CompareFrom 1 -CompareTo 4 -ErrorAction Stop
        $diff.hasChanges | Should -BeTrue
        $rows = @(Get-JIMConfigurationChangeHistory -Type ConnectedSystem -Id $script:HistSystem.id -CompareFrom 1 -CompareTo 4 -AsDiff -ErrorAction Stop)
        ($rows | Where-Object Path -eq 'description').NewValue | Should -Be 'the directory'
        ($rows | Where-Object Path -eq 'runProfiles[Full Import]').Change | Should -Be 'Added'
        $page = @(Get-JIMConfigurationChangeHistory -Type ConnectedSystem -Id $script:HistSystem.id -CompareFrom 2 -CompareTo 3 -AsDiff)
        $page.Count | Should -Be 1
        $page[0].Path | Should -Be 'runProfiles[Full Import].pageSize'
        $page[0].OldValue | Should -Be '100'
        $page[0].NewValue | Should -Be '500'
    }

    It 'reads an API key''s history, which never holds the key' {
        $key = New-JIMApiKey -Name 'History key' -RoleIds 1 -ChangeReason 'for the pipeline' -PassThru -ErrorAction Stop
        $v1 = Get-JIMConfigurationChangeHistory -Type ApiKey -Id $key.id -Version 1 -ErrorAction Stop
        $v1.reason | Should -Be 'for the pipeline'
        $v1.snapshot.objectGuidId | Should -Be $key.id
        ($v1 | ConvertTo-Json -Depth 20) | Should -Not -Match ([regex]::Escape($key.key.Substring(7, 20)))
        Remove-JIMApiKey -Id $key.id -Force -ErrorAction Stop
        @(Get-JIMConfigurationChangeHistory -Type ApiKey -Id $key.id).Count | Should -Be 2
    }

    It 'reports an unknown version and a bad id' {
        $err = Get-CommandError { Get-JIMConfigurationChangeHistory -Type ConnectedSystem -Id $script:HistSystem.id -Version 99 }
        $err.Exception.Data['StatusCode'] | Should -Be 404
        $err = Get-CommandError { Get-JIMConfigurationChangeHistory -Type ApiKey -Id 'not-a-guid' }
        "$($err.Exception.Message)" | Should -Match 'GUID'
    }

    It 'refuses a change reason over 2,000 characters before sending anything' {
        { Set-JIMConnectedSystem -Id $script:HistSystem.id -Description 'x' -ChangeReason ('r' * 2001) -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,Set-JIMConnectedSystem'
    }
}
