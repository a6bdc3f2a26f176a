<#
.SYNOPSIS
After a sandbox refresh, in a pipeline: wait for the sandbox, build and save the support case,
run every post-refresh step, then list the guided steps left for a person.

.DESCRIPTION
The PowerShell twin of post-refresh.sh (which the tests run; this one is not run in CI).
Exit codes (logik-refresh's, which are sf's): 0 all done, 68 guided steps remain, 69 the refresh
did not finish in time, 2 bad input, 1 anything else.

Needs logik-refresh on PATH and sf logged in to both orgs: the production org (to watch the
refresh) and, once the refresh is done, the sandbox. Every parameter can come from the
environment instead: PRODUCTION_ORG, SANDBOX_NAME, SANDBOX_ORG, RUNTIME_URL, CPQ_ADMINS
(comma-separated), CASE_NUMBER, WAIT_TIMEOUT, POLL_INTERVAL, OUT_DIR, LOGIK_REFRESH_CONFIG.

Where the sf project's sfdx-project.json (or -Config FILE) has the sandbox in
plugins.logik-refresh, the tenant, the CPQ Admins and the users come from there, and a snapshot
taken before the refresh (logik-refresh snapshot -o NAME) is restored: -RuntimeUrl is optional.

.EXAMPLE
./scripts/post-refresh.ps1 -ProductionOrg prod -SandboxName uat -RuntimeUrl https://acme-uat.test.logik.io -CpqAdmin jane@acme.com.uat

.EXAMPLE
./scripts/post-refresh.ps1 -ProductionOrg prod -SandboxName uat    # values from the project config
#>
[CmdletBinding()]
param(
    # The production org that holds the sandbox.
    [string] $ProductionOrg = $env:PRODUCTION_ORG,
    # The sandbox, as Setup > Sandboxes names it.
    [string] $SandboxName = $env:SANDBOX_NAME,
    # sf's alias of the refreshed sandbox (default: the sandbox name).
    [string] $SandboxOrg = $env:SANDBOX_ORG,
    # The CPQ tenant, https://<tenant>.<sector>.logik.io.
    [string] $RuntimeUrl = $env:RUNTIME_URL,
    # Users who need CPQ Admin access.
    [string[]] $CpqAdmin = $(if ($env:CPQ_ADMINS) { $env:CPQ_ADMINS -split ',' } else { @() }),
    # The Now Support case waiting for the new org ID.
    [string] $CaseNumber = $env:CASE_NUMBER,
    # Stop waiting for the refresh after this long, e.g. 6h.
    [string] $Timeout = $env:WAIT_TIMEOUT,
    # Time between two looks at the refresh.
    [string] $PollInterval = $(if ($env:POLL_INTERVAL) { $env:POLL_INTERVAL } else { '30s' }),
    # Where to save the JSON, the case and its text.
    [string] $OutDir = $(if ($env:OUT_DIR) { $env:OUT_DIR } else { 'post-refresh' }),
    # The project file with plugins.logik-refresh (default: sfdx-project.json here or in a parent).
    [string] $Config = $env:LOGIK_REFRESH_CONFIG
)

$ErrorActionPreference = 'Stop'

function Say([string] $Message) { [Console]::Error.WriteLine($Message) }

foreach ($name in 'ProductionOrg', 'SandboxName') {
    if (-not (Get-Variable -Name $name -ValueOnly)) {
        Say "post-refresh.ps1: -$name is required (see Get-Help ./post-refresh.ps1)"
        exit 2
    }
}
if (-not $SandboxOrg) { $SandboxOrg = $SandboxName }
New-Item -ItemType Directory -Force -Path $OutDir | Out-Null

# The project config, when there is one: its errors stop the pipeline (every one listed).
$configArgs = @()
if ($Config) { $configArgs = @('--config', $Config) }
$configRuntimeUrl = $null
$configCpqUrl = $null
$validated = & logik-refresh config validate @configArgs --json | Out-String | ConvertFrom-Json
if ($LASTEXITCODE -eq 0) {
    $section = (Get-Content -Raw -Path $validated.result.file | ConvertFrom-Json).plugins.'logik-refresh'
    $configCpqUrl = $section.cpqUrl
    foreach ($entry in @($section.sandboxes.PSObject.Properties)) {
        if ($entry.Name -ieq $SandboxName) { $configRuntimeUrl = $entry.Value.runtimeUrl }
    }
    Say "Using $($validated.result.file) for sandbox $SandboxName."
} elseif ($validated.name -ne 'NoConfigError') {
    Say "Error ($($validated.name)): $($validated.message)"
    foreach ($action in $validated.actions) { Say "  Try this: $action" }
    exit $LASTEXITCODE
}
if (-not $RuntimeUrl -and -not $configRuntimeUrl) {
    Say 'post-refresh.ps1: -RuntimeUrl is required (or the sandbox''s runtimeUrl in the project config)'
    exit 2
}

# Runs logik-refresh with --json, keeps its envelope in a file and returns it. On failure, shows
# what it said and what to do next, then stops with its exit code. 68 (guided steps left) is not
# a failure.
function Invoke-Logik([string] $File, [string[]] $Arguments) {
    $text = & logik-refresh @Arguments --json | Out-String
    $status = $LASTEXITCODE
    Set-Content -Path (Join-Path $OutDir $File) -Value $text -Encoding utf8
    $envelope = $text | ConvertFrom-Json
    if ($status -ne 0 -and $status -ne 68) {
        if ($envelope.message) {
            Say "Error ($($envelope.name)): $($envelope.message)"
            foreach ($action in $envelope.actions) { Say "  Try this: $action" }
        } else {
            foreach ($step in @($envelope.result.steps | Where-Object outcome -eq 'failed')) {
                Say "Failed: $($step.step): $($step.reason)"
            }
        }
        exit $status
    }
    $envelope
}

Say "1/4 Waiting for sandbox $SandboxName to finish its refresh (production org: $ProductionOrg)..."
$waitArgs = @('org', 'wait', '--sandbox-name', $SandboxName, '-o', $ProductionOrg, '--poll-interval', $PollInterval)
if ($Timeout) { $waitArgs += @('--timeout', $Timeout) }
$sandbox = Invoke-Logik 'sandbox.json' $waitArgs
$newOrgId = $sandbox.result.org.orgId
# The day the refresh completed (ConvertFrom-Json may have made the date a [datetime]).
$endDate = $sandbox.result.sandboxProcess.endDate
$refreshDate = if ($endDate -is [datetime]) { $endDate.ToString('yyyy-MM-dd') }
    elseif ($endDate) { "$endDate".Substring(0, 10) }
    else { 'today' }

Say "2/4 Checking that $SandboxOrg is the refreshed sandbox ($newOrgId)..."
$org = Invoke-Logik 'org.json' @('org', 'inspect', '-o', $SandboxOrg)
if ($org.result.orgId -ne $newOrgId) {
    Say "Error: $SandboxOrg is org $($org.result.orgId), not the refreshed sandbox $newOrgId."
    Say "  Try this: sf org login web --instance-url https://test.salesforce.com --alias $SandboxOrg"
    exit 1
}

Say '3/4 Building the support case...'
$caseFile = Join-Path $OutDir 'case.json'
$caseArgs = @('case', 'build', '-o', $SandboxOrg, '--refresh-date', $refreshDate,
    '--retain-data', '--new-org-id', $newOrgId, '--output', $caseFile, '--no-prompt') + $configArgs
# The CPQ URL: the one given, else the config's cpqUrl (case build reads it), else the tenant.
if ($RuntimeUrl) { $caseArgs += @('--cpq-url', $RuntimeUrl) }
elseif (-not $configCpqUrl) { $caseArgs += @('--cpq-url', $configRuntimeUrl) }
foreach ($admin in $CpqAdmin) { $caseArgs += @('--cpq-admin', $admin) }
if ($CaseNumber) { $caseArgs += @('--case-number', $CaseNumber) }
Invoke-Logik 'case-build.json' $caseArgs | Out-Null
& logik-refresh case render $caseFile --format markdown | Set-Content -Path (Join-Path $OutDir 'case.md') -Encoding utf8
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
Say "    Saved $caseFile (attach it to the case) and $(Join-Path $OutDir 'case.md') (paste it)."

Say "4/4 Running the post-refresh steps on $SandboxOrg..."
# Without -RuntimeUrl, run takes the tenant and users from the config, then the snapshot.
$runArgs = @('run', '-o', $SandboxOrg) + $configArgs
if ($RuntimeUrl) { $runArgs += @('--runtime-url', $RuntimeUrl) }
if ($CaseNumber) { $runArgs += @('--case-number', $CaseNumber) }
$run = Invoke-Logik 'run.json' $runArgs

if ($run.status -eq 0) {
    Write-Output 'All steps are done.'
    exit 0
}
Write-Output "$(@($run.result.pending).Count) guided steps left. Do each by hand, then run its confirm command:"
foreach ($step in @($run.result.steps | Where-Object outcome -eq 'manual')) {
    Write-Output ''
    Write-Output "[to do] $($step.step): $($step.manual.where)"
    if ($step.manual.url) { Write-Output "  Link: $($step.manual.url)" }
    foreach ($value in $step.manual.values) { Write-Output "  $($value.label): $($value.value)" }
    Write-Output "  Confirm: $($step.manual.confirmCommand)"
}
exit 68
