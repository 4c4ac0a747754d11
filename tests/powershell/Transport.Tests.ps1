# Transport and client-side behaviour of the JIM module, against a scripted local HTTP server (no
# jim-edge needed): 429 + Retry-After, error envelopes -> ErrorRecords, JSON request shape,
# Connect-JIM's two checks, -ConnectedSystemName resolution across pages.

BeforeAll {
    $repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    Import-Module (Join-Path $repoRoot 'powershell/JIM/JIM.psd1') -Force
    . (Join-Path $PSScriptRoot 'MockServer.ps1')
    $script:TestKey = 'jim_ak_' + ('ab' * 32)
    $script:Healthy = @{ Status = 200; Body = '{"status":"healthy","timestamp":"2026-11-28T10:00:00.000Z"}' }
    $script:Version = @{ Status = 200; Body = '{"product":"jim-edge","version":"0.1.0"}' }
    $script:UserInfo = @{ Status = 200; Body = '{"authorised":true,"isAdministrator":true,"name":"Test Key","authMethod":"api_key","roles":["Administrator"]}' }
    function script:Connect-Mock([object[]]$More) {
        $mock = Start-JIMMockServer -Responses (@($script:Healthy, $script:Version, $script:UserInfo) + $More)
        Connect-JIM -Url $mock.Url -ApiKey $script:TestKey | Out-Null
        $mock
    }
}

AfterAll {
    Disconnect-JIM
    Remove-Module JIM -Force -ErrorAction SilentlyContinue
}

Describe 'Invoke-JIMApi: 429 Too Many Requests' {
    It 'waits Retry-After seconds and retries, then returns the answer' {
        $mock = Start-JIMMockServer -Responses @(
            @{ Status = 429; Headers = @{ 'Retry-After' = '1' }; Body = '{"code":"TOO_MANY_REQUESTS","message":"Too many requests. Please retry after the indicated delay.","details":null,"validationErrors":null,"timestamp":"2026-11-28T10:00:00.000Z"}' }
            @{ Status = 200; Body = '{"status":"healthy","timestamp":"2026-11-28T10:00:00.000Z"}' })
        $started = [datetime]::UtcNow
        $result = InModuleScope JIM -Parameters @{ Url = $mock.Url } {
            param($Url)
            Invoke-JIMApi -Url $Url -Endpoint '/api/v1/health' -Anonymous -WarningAction SilentlyContinue
        }
        $elapsed = [datetime]::UtcNow - $started
        $requests = Stop-JIMMockServer $mock
        $result.status | Should -Be 'healthy'
        $requests.Count | Should -Be 2
        ($requests[1].Time - $requests[0].Time).TotalSeconds | Should -BeGreaterOrEqual 0.9
        $elapsed.TotalSeconds | Should -BeGreaterOrEqual 0.9
    }

    It 'gives up after a bounded number of retries with the server message' {
        $tooMany = @{ Status = 429; Headers = @{ 'Retry-After' = '1' }; Body = '{"code":"TOO_MANY_REQUESTS","message":"Too many requests. Please retry after the indicated delay.","details":null,"validationErrors":null,"timestamp":"2026-11-28T10:00:00.000Z"}' }
        $mock = Start-JIMMockServer -Responses @($tooMany, $tooMany, $tooMany)
        $err = $null
        try {
            InModuleScope JIM -Parameters @{ Url = $mock.Url } {
                param($Url)
                Invoke-JIMApi -Url $Url -Endpoint '/api/v1/health' -Anonymous -MaxRetries 2 -WarningAction SilentlyContinue
            }
        }
        catch { $err = $_ }
        $requests = Stop-JIMMockServer $mock
        $requests.Count | Should -Be 3
        $err | Should -Not -BeNullOrEmpty
        $err.Exception.Message | Should -BeLike 'Too many requests. Please retry after the indicated delay.*'
        $err.Exception.Data['StatusCode'] | Should -Be 429
        $err.FullyQualifiedErrorId | Should -BeLike 'JIM.TOO_MANY_REQUESTS*'
    }

    It 'reads an HTTP-date Retry-After and caps waits' {
        InModuleScope JIM {
            $response = [PSCustomObject]@{ Headers = @{ 'Retry-After' = @('3') } }
            Get-JIMRetryDelay -Response $response | Should -Be 3
            $response = [PSCustomObject]@{ Headers = @{ 'Retry-After' = @('86400') } }
            Get-JIMRetryDelay -Response $response | Should -Be 60
            $date = [datetimeoffset]::UtcNow.AddSeconds(5).ToString('r')
            $response = [PSCustomObject]@{ Headers = @{ 'Retry-After' = @($date) } }
            Get-JIMRetryDelay -Response $response | Should -BeIn @(4, 5, 6)
            $response = [PSCustomObject]@{ Headers = @{} }
            Get-JIMRetryDelay -Response $response -Attempt 2 | Should -Be 4
        }
    }
}

Describe 'Errors carry the server envelope' {
    It 'turns a 400 envelope into an error with the message and one "field: message" line per validation error' {
        $envelope = '{"code":"VALIDATION_ERROR","message":"One or more fields are invalid.","details":null,"validationErrors":{"pageSize":["must be between 1 and 10000"],"runType":["is required","must be one of FullImport, DeltaImport"]},"timestamp":"2026-11-28T10:00:00.000Z"}'
        $mock = Connect-Mock @(@{ Status = 400; Body = $envelope })
        $errors = @()
        New-JIMRunProfile -ConnectedSystemId 1 -Name 'x' -RunType FullImport -ErrorVariable errors -ErrorAction SilentlyContinue
        $null = Stop-JIMMockServer $mock
        # -ErrorVariable also collects the handled inner errors (PowerShell behaviour); the cmdlet's
        # own error is the last one.
        $errors.Count | Should -BeGreaterThan 0
        $errors[-1].FullyQualifiedErrorId | Should -Be 'JIM.VALIDATION_ERROR,New-JIMRunProfile'
        $message = $errors[-1].Exception.Message
        $message | Should -BeLike 'Failed to create Run Profile: One or more fields are invalid.*'
        $message | Should -BeLike '*One or more fields are invalid.*'
        $message | Should -BeLike '*pageSize: must be between 1 and 10000*'
        $message | Should -BeLike '*runType: is required*'
        $message | Should -BeLike '*runType: must be one of FullImport, DeltaImport*'
        $errors[-1].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $errors[-1].TargetObject.code | Should -Be 'VALIDATION_ERROR'
        $errors[-1].Exception.Data['StatusCode'] | Should -Be 400
    }

    It 'is a terminating error with -ErrorAction Stop' {
        $mock = Connect-Mock @(@{ Status = 404; Body = '{"code":"NOT_FOUND","message":"Connected System with ID 42 not found.","details":null,"validationErrors":null,"timestamp":"2026-11-28T10:00:00.000Z"}' })
        { Get-JIMRunProfile -ConnectedSystemId 42 -ErrorAction Stop } | Should -Throw '*Connected System with ID 42 not found.*'
        $null = Stop-JIMMockServer $mock
    }

    It 'uses the raw body when the answer is not an envelope' {
        $mock = Connect-Mock @(@{ Status = 502; Body = 'Bad gateway from proxy' })
        { Get-JIMConnectedSystem -Id 1 -ErrorAction Stop } | Should -Throw '*Bad gateway from proxy*'
        $null = Stop-JIMMockServer $mock
    }
}

Describe 'Requests' {
    It 'sends camelCase JSON with the X-Api-Key header' {
        $created = '{"id":5,"name":"Full Import","connectedSystemId":1,"runType":"FullImport","pageSize":500,"partitionId":null,"partitionName":null,"targetsDeselectedPartition":false,"filePath":null,"verifyImportContentHashes":true}'
        $mock = Connect-Mock @(@{ Status = 201; Body = $created })
        $result = New-JIMRunProfile -ConnectedSystemId 1 -Name 'Full Import' -RunType FullImport -PageSize 500 -VerifyImportContentHashes -PassThru
        $requests = Stop-JIMMockServer $mock
        $result.id | Should -Be 5
        $post = $requests[-1]
        $post.Method | Should -Be 'POST'
        $post.Path | Should -Be '/api/v1/synchronisation/connected-systems/1/run-profiles'
        $post.Headers['X-Api-Key'] | Should -Be $script:TestKey
        $post.Headers['Content-Type'] | Should -BeLike 'application/json*'
        $post.Body | Should -BeLikeExactly '*"name":"Full Import"*'
        $json = $post.Body | ConvertFrom-Json -AsHashtable
        ($json.Keys | Sort-Object) -join ',' | Should -BeExactly 'name,pageSize,runType,verifyImportContentHashes'
        $json.runType | Should -BeExactly 'FullImport'
        $json.pageSize | Should -Be 500
        $json.verifyImportContentHashes | Should -BeTrue
    }

    It 'resolves -ConnectedSystemName across pages (pageSize=100, following hasNextPage)' {
        $page1Items = (1..100 | ForEach-Object { '{"id":' + $_ + ',"name":"System ' + $_ + '"}' }) -join ','
        $page1 = '{"items":[' + $page1Items + '],"totalCount":101,"page":1,"pageSize":100,"totalPages":2,"hasNextPage":true,"hasPreviousPage":false}'
        $page2 = '{"items":[{"id":101,"name":"HR Database"}],"totalCount":101,"page":2,"pageSize":100,"totalPages":2,"hasNextPage":false,"hasPreviousPage":true}'
        $mock = Connect-Mock @(@{ Status = 200; Body = $page1 }, @{ Status = 200; Body = $page2 }, @{ Status = 200; Body = '[]' })
        $profiles = @(Get-JIMRunProfile -ConnectedSystemName 'hr database' -ErrorAction Stop)
        $requests = Stop-JIMMockServer $mock
        $profiles.Count | Should -Be 0
        $requests[3].Path | Should -Be '/api/v1/synchronisation/connected-systems?page=1&pageSize=100'
        $requests[4].Path | Should -Be '/api/v1/synchronisation/connected-systems?page=2&pageSize=100'
        $requests[5].Path | Should -Be '/api/v1/synchronisation/connected-systems/101/run-profiles'
    }

    It 'reports two Connected Systems with the same name as ambiguous' {
        $page = '{"items":[{"id":1,"name":"Twin"},{"id":2,"name":"TWIN"}],"totalCount":2,"page":1,"pageSize":100,"totalPages":1,"hasNextPage":false,"hasPreviousPage":false}'
        $mock = Connect-Mock @(@{ Status = 200; Body = $page })
        { Get-JIMRunProfile -ConnectedSystemName 'Twin' -ErrorAction Stop } | Should -Throw '*Multiple Connected Systems found*'
        $null = Stop-JIMMockServer $mock
    }
}

Describe 'Connect-JIM says which check failed' {
    It 'reports the server check when nothing listens' {
        $port = Get-JIMTestFreePort
        { Connect-JIM -Url "http://127.0.0.1:$port" -ApiKey $script:TestKey } | Should -Throw '*Server check failed*'
    }

    It 'reports the key check when userinfo answers 401' {
        $mock = Start-JIMMockServer -Responses @($script:Healthy, $script:Version,
            @{ Status = 401; Headers = @{ 'WWW-Authenticate' = 'ApiKey header="X-Api-Key"' }; Body = '{"code":"UNAUTHORISED","message":"Authentication required","details":null,"validationErrors":null,"timestamp":"2026-11-28T10:00:00.000Z"}' })
        Disconnect-JIM
        { Connect-JIM -Url $mock.Url -ApiKey $script:TestKey } | Should -Throw '*API key check failed*rejected the API key*Authentication required*'
        $requests = Stop-JIMMockServer $mock
        $requests[0].Path | Should -Be '/api/v1/health'
        $requests[0].Headers.ContainsKey('X-Api-Key') | Should -BeFalse
        $requests[2].Path | Should -Be '/api/v1/userinfo'
        $requests[2].Headers['X-Api-Key'] | Should -Be $script:TestKey
        { Get-JIMConnectedSystem -ErrorAction Stop } | Should -Throw '*not connected*'
    }
}
