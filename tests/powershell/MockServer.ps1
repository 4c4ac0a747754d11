# A scripted HTTP server for the transport tests: serves the given responses in order on a free
# loopback port (System.Net.HttpListener in a thread job) and records each request it gets.
#
#   $mock = Start-JIMMockServer -Responses @(
#       @{ Status = 429; Headers = @{ 'Retry-After' = '1' }; Body = '{"code":"TOO_MANY_REQUESTS",...}' }
#       @{ Status = 200; Body = '{"status":"healthy"}' })
#   ... requests to $mock.Url ...
#   $requests = Stop-JIMMockServer $mock     # [Method, Path, Headers, Body, Time] per request

function Get-JIMTestFreePort {
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

function Start-JIMMockServer {
    param(
        [Parameter(Mandatory)]
        [object[]]$Responses
    )

    $port = Get-JIMTestFreePort
    $prefix = "http://127.0.0.1:$port/"
    $job = Start-ThreadJob -ArgumentList $prefix, $Responses -ScriptBlock {
        param($prefix, $responses)
        $listener = [System.Net.HttpListener]::new()
        $listener.Prefixes.Add($prefix)
        $listener.Start()
        try {
            foreach ($r in $responses) {
                $task = $listener.GetContextAsync()
                if (-not $task.Wait(30000)) { break }
                $ctx = $task.Result
                $reader = [System.IO.StreamReader]::new($ctx.Request.InputStream, [System.Text.Encoding]::UTF8)
                $body = $reader.ReadToEnd()
                $headers = @{}
                foreach ($name in $ctx.Request.Headers.AllKeys) { $headers[$name] = $ctx.Request.Headers[$name] }
                [PSCustomObject]@{
                    Method  = $ctx.Request.HttpMethod
                    Path    = $ctx.Request.RawUrl
                    Headers = $headers
                    Body    = $body
                    Time    = [datetime]::UtcNow
                }
                $ctx.Response.StatusCode = [int]$r.Status
                if ($r.Headers) {
                    foreach ($h in $r.Headers.Keys) { $ctx.Response.Headers[$h] = [string]$r.Headers[$h] }
                }
                $text = if ($null -ne $r.Body) { [string]$r.Body } else { '' }
                $bytes = [System.Text.Encoding]::UTF8.GetBytes($text)
                if ($bytes.Length -gt 0) { $ctx.Response.ContentType = 'application/json; charset=utf-8' }
                $ctx.Response.ContentLength64 = $bytes.Length
                if ($bytes.Length -gt 0) { $ctx.Response.OutputStream.Write($bytes, 0, $bytes.Length) }
                $ctx.Response.Close()
            }
        }
        finally {
            $listener.Stop()
            $listener.Close()
        }
    }

    # Wait until the listener accepts connections.
    $deadline = [datetime]::UtcNow.AddSeconds(20)
    while ($true) {
        $client = [System.Net.Sockets.TcpClient]::new()
        try {
            $client.Connect('127.0.0.1', $port)
            break
        }
        catch {
            if ([datetime]::UtcNow -gt $deadline) { throw "mock server did not start on port $port" }
            Start-Sleep -Milliseconds 50
        }
        finally { $client.Dispose() }
    }
    [PSCustomObject]@{ Url = "http://127.0.0.1:$port"; Port = $port; Job = $job }
}

function Stop-JIMMockServer {
    param(
        [Parameter(Mandatory)]
        $Mock
    )
    $null = Wait-Job -Job $Mock.Job -Timeout 5
    if ($Mock.Job.State -eq 'Running') { Stop-Job -Job $Mock.Job }
    $records = Receive-Job -Job $Mock.Job -ErrorAction SilentlyContinue
    Remove-Job -Job $Mock.Job -Force
    @($records)
}
