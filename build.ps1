#!/usr/bin/env pwsh
<#
.SYNOPSIS
    PaliCuda's one entry point for building, testing, running and packaging.

.DESCRIPTION
    Run as:  dotnet tool restore && dotnet pwsh build.ps1 <task> [args...]
    (the local tool manifest .config/dotnet-tools.json pins PowerShell, so nothing else is needed
    beyond the .NET SDK; the CUDA compiler is installed on Debian/Ubuntu when missing).

    Tasks:
      build    Release build of the whole solution (kernels compiled to PTX on the way).
      test     build, then run the test executable; ends with "N passed, N failed, N skipped".
               Extra args go to the test runner, e.g. --filter "FullyQualifiedName~Kernels".
      demo     palicuda demo (Release); extra args go to the demo command.
      bench    the benchmarks (Release); extra args go to BenchmarkDotNet, e.g. --filter '*Gemm*'.
      publish  self-contained linux-x64 bundle of the CLI, the tests and the benchmarks for a GPU
               machine without .NET: publish/palicuda-linux-x64/ and publish/palicuda-linux-x64.tar.xz.
      clean    remove every bin/, obj/, publish/ and test/benchmark result folder.

    -DryRun prints the commands that would install the CUDA toolkit instead of running them.
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('build', 'test', 'demo', 'bench', 'publish', 'clean')]
    [string] $Task = 'build',

    [switch] $DryRun,

    [Parameter(ValueFromRemainingArguments)]
    [string[]] $Rest = @()
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
# A failing native command (dotnet, apt-get) stops the script like a failing cmdlet.
$PSNativeCommandUseErrorActionPreference = $true

$Root = $PSScriptRoot
$Solution = Join-Path $Root 'PaliCuda.sln'
$Configuration = 'Release'
$TestProject = Join-Path $Root 'tests/PaliCuda.Tests/PaliCuda.Tests.csproj'
$CliProject = Join-Path $Root 'src/PaliCuda.Cli/PaliCuda.Cli.csproj'
$BenchProject = Join-Path $Root 'benchmarks/PaliCuda.Benchmarks/PaliCuda.Benchmarks.csproj'
$PublishRoot = Join-Path $Root 'publish'
$BundleName = 'palicuda-linux-x64'
$TestResults = Join-Path $Root 'TestResults'
# What travels to the GPU machine is capped at 64 MiB in all; the bundle must leave room for the tree.
$BundleLimitBytes = 48MB
$AptSourcesFile = '/etc/apt/sources.list.d/palicuda-cuda.sources'

function Write-Step([string] $Text) { Write-Host "==> $Text" -ForegroundColor Cyan }

function Invoke-Native([string] $Command, [string[]] $Arguments) {
    Write-Host "+ $Command $($Arguments -join ' ')"
    & $Command @Arguments
}

# Runs an install step, or only prints it under -DryRun.
function Invoke-InstallStep([string] $Command, [string[]] $Arguments) {
    if ($DryRun) {
        Write-Host "[dry-run] $Command $($Arguments -join ' ')"
        return
    }
    Invoke-Native $Command $Arguments
}

# Same search order as kernels/Kernels.targets: NvccPath, PATH, CUDA_PATH/bin, /usr/local/cuda/bin.
function Find-Nvcc {
    $looked = [System.Collections.Generic.List[string]]::new()
    if ($env:NvccPath) {
        $looked.Add("NvccPath=$env:NvccPath")
        if (Test-Path -PathType Leaf $env:NvccPath) { return @{ Path = $env:NvccPath; Looked = $looked } }
    }
    foreach ($dir in ($env:PATH -split [IO.Path]::PathSeparator)) {
        if (-not $dir) { continue }
        $looked.Add($dir)
        $candidate = Join-Path $dir 'nvcc'
        if (Test-Path -PathType Leaf $candidate) { return @{ Path = $candidate; Looked = $looked } }
    }
    $extra = @()
    if ($env:CUDA_PATH) { $extra += (Join-Path $env:CUDA_PATH 'bin') }
    $extra += '/usr/local/cuda/bin'
    foreach ($dir in $extra) {
        $looked.Add($dir)
        $candidate = Join-Path $dir 'nvcc'
        if (Test-Path -PathType Leaf $candidate) { return @{ Path = $candidate; Looked = $looked } }
    }
    return @{ Path = $null; Looked = $looked }
}

function Get-OsRelease {
    $values = @{}
    if (Test-Path /etc/os-release) {
        foreach ($line in Get-Content /etc/os-release) {
            if ($line -match '^([A-Z_]+)=(.*)$') { $values[$Matches[1]] = $Matches[2].Trim('"') }
        }
    }
    return $values
}

function Test-IsRoot { return [Environment]::UserName -eq 'root' }

function Get-NvccMajor([string] $Nvcc) {
    $text = (& $Nvcc --version) -join "`n"
    if ($text -match 'release (\d+)\.(\d+)') { return [int] $Matches[1] }
    throw "Could not read the CUDA release from '$Nvcc --version':`n$text"
}

function Get-GccMajor {
    $gcc = Get-Command gcc -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if (-not $gcc) { return $null }
    $version = (& $gcc.Source -dumpversion) -join ''
    return [int] ($version -split '\.')[0]
}

# Debian's nvidia-cuda-toolkit lives in contrib/non-free, which a default install does not enable.
# The file is written once; an existing one (ours or an administrator's) is left as it is.
function Enable-DebianNonFree([string] $Codename) {
    if (Test-Path $AptSourcesFile) {
        Write-Host "$AptSourcesFile exists; leaving it as it is."
        return
    }
    $keyring = '/usr/share/keyrings/debian-archive-keyring.gpg'
    if (-not (Test-Path $keyring)) {
        Invoke-InstallStep 'apt-get' @('install', '-y', '--no-install-recommends', 'debian-archive-keyring')
    }
    $content = @(
        'Types: deb'
        'URIs: http://deb.debian.org/debian'
        "Suites: $Codename $Codename-updates"
        'Components: contrib non-free'
        "Signed-By: $keyring"
    ) -join "`n"
    if ($DryRun) {
        Write-Host "[dry-run] write $AptSourcesFile :`n$content"
        return
    }
    Write-Host "Writing $AptSourcesFile (contrib non-free for $Codename)"
    Set-Content -Path $AptSourcesFile -Value $content -NoNewline:$false
}

function Install-CudaToolkit([hashtable] $Found) {
    $os = Get-OsRelease
    $id = "$($os['ID']) $($os['ID_LIKE'])"
    $howTo = 'Install the CUDA toolkit (nvcc 11.8 or newer), then rerun, or point NvccPath / CUDA_PATH at it.'
    if (-not $IsLinux -or $id -notmatch '\b(debian|ubuntu)\b') {
        throw "nvcc not found (looked in $($Found.Looked -join ', ')) and this is not Debian/Ubuntu, where build.ps1 can install it. $howTo"
    }
    if (-not (Test-IsRoot) -and -not $DryRun) {
        throw "nvcc not found (looked in $($Found.Looked -join ', ')). Run this as root to let build.ps1 install Debian's nvidia-cuda-toolkit, or: sudo apt-get install nvidia-cuda-toolkit clang-14. $howTo"
    }
    Write-Step 'Installing the CUDA toolkit (nvidia-cuda-toolkit)'
    if ($os['ID'] -eq 'debian') {
        $codename = $os['VERSION_CODENAME']
        if (-not $codename) { throw "Cannot tell the Debian release from /etc/os-release (no VERSION_CODENAME). $howTo" }
        Enable-DebianNonFree $codename
    }
    $env:DEBIAN_FRONTEND = 'noninteractive'
    Invoke-InstallStep 'apt-get' @('update')
    Invoke-InstallStep 'apt-get' @('install', '-y', '--no-install-recommends', 'nvidia-cuda-toolkit')
}

# nvcc 11.x refuses gcc newer than 11; bookworm has gcc 12, so clang-14 must be there to stand in.
function Install-HostCompilerIfNeeded([string] $Nvcc) {
    if ((Get-NvccMajor $Nvcc) -ne 11) { return }
    $gccMajor = Get-GccMajor
    if ($null -ne $gccMajor -and $gccMajor -le 11) { return }
    if (Get-Command clang-14 -CommandType Application -ErrorAction SilentlyContinue) { return }
    if (-not $IsLinux -or -not (Test-Path /usr/bin/apt-get) -or (-not (Test-IsRoot) -and -not $DryRun)) {
        throw "nvcc 11 needs gcc <= 11 or clang-14 as its host compiler; install clang-14 (apt-get install clang-14)."
    }
    Write-Step 'Installing clang-14 (host compiler for nvcc 11)'
    $env:DEBIAN_FRONTEND = 'noninteractive'
    Invoke-InstallStep 'apt-get' @('install', '-y', '--no-install-recommends', 'clang-14')
}

function Initialize-Nvcc {
    $found = Find-Nvcc
    if (-not $found.Path) {
        Install-CudaToolkit $found
        if ($DryRun) { Write-Host '[dry-run] stopping before the build: nvcc was not installed.'; exit 0 }
        $found = Find-Nvcc
        if (-not $found.Path) { throw "nvidia-cuda-toolkit installed but nvcc is still not found (looked in $($found.Looked -join ', '))." }
    }
    Install-HostCompilerIfNeeded $found.Path
    Write-Host "nvcc: $($found.Path)"
    $env:NvccPath = $found.Path  # MSBuild reads environment variables as properties.
}

function Invoke-Build {
    Initialize-Nvcc
    if ($DryRun) { Write-Host '[dry-run] nvcc is present; nothing to install.'; return }
    Write-Step "Building $Configuration"
    Invoke-Native 'dotnet' @('build', $Solution, '-c', $Configuration, '-nologo')
}

# Reads the Counters element of an MTP TRX report.
function Read-TrxCounts([string] $TrxPath) {
    [xml] $trx = Get-Content -Raw $TrxPath
    $counters = $trx.TestRun.ResultSummary.Counters
    $total = [int] $counters.total
    $passed = [int] $counters.passed
    $failed = [int] $counters.failed + [int] $counters.error + [int] $counters.timeout + [int] $counters.aborted
    return @{ Passed = $passed; Failed = $failed; Skipped = $total - $passed - $failed }
}

function Invoke-Test {
    Invoke-Build
    $testDll = Join-Path $Root "tests/PaliCuda.Tests/bin/$Configuration/net10.0/PaliCuda.Tests.dll"
    $trxName = 'palicuda-tests.trx'
    $trxPath = Join-Path $TestResults $trxName
    Remove-Item -Force -ErrorAction SilentlyContinue $trxPath
    Write-Step 'Running tests'
    $arguments = @($testDll, '--report-trx', '--report-trx-filename', $trxName, '--results-directory', $TestResults) + $Rest
    Write-Host "+ dotnet $($arguments -join ' ')"
    # The runner's exit code is judged below, after the summary line is printed.
    $PSNativeCommandUseErrorActionPreference = $false
    & dotnet @arguments
    $exitCode = $LASTEXITCODE
    $PSNativeCommandUseErrorActionPreference = $true
    if (-not (Test-Path $trxPath)) {
        Write-Host '0 passed, 1 failed, 0 skipped'
        throw "The test runner wrote no TRX report at $trxPath (exit code $exitCode)."
    }
    $counts = Read-TrxCounts $trxPath
    Write-Host "$($counts.Passed) passed, $($counts.Failed) failed, $($counts.Skipped) skipped"
    if ($exitCode -ne 0 -or $counts.Failed -gt 0) {
        # Exit code 8 is Microsoft.Testing.Platform's "no test ran".
        Write-Host "Test runner exit code: $exitCode"
        exit ($exitCode -ne 0 ? $exitCode : 1)
    }
}

function Invoke-Demo {
    Initialize-Nvcc
    Write-Step 'Running the demo'
    Invoke-Native 'dotnet' (@('run', '--project', $CliProject, '-c', $Configuration, '--', 'demo') + $Rest)
}

function Invoke-Bench {
    Initialize-Nvcc
    Write-Step 'Running the benchmarks'
    Invoke-Native 'dotnet' (@('run', '--project', $BenchProject, '-c', $Configuration, '--') + $Rest)
}

function Format-MiB([long] $Bytes) { return '{0:N1} MiB' -f ($Bytes / 1MB) }

function Invoke-Publish {
    Initialize-Nvcc
    $bundle = Join-Path $PublishRoot $BundleName
    $archive = Join-Path $PublishRoot "$BundleName.tar.xz"
    if (Test-Path $bundle) { Remove-Item -Recurse -Force $bundle }
    Remove-Item -Force -ErrorAction SilentlyContinue $archive
    # One folder for all three apps: they share a single copy of the runtime.
    foreach ($project in @($CliProject, $TestProject, $BenchProject)) {
        Write-Step "Publishing $(Split-Path -Leaf $project)"
        Invoke-Native 'dotnet' @('publish', $project, '-c', $Configuration, '-r', 'linux-x64', '--self-contained', 'true',
            '-o', $bundle, '-nologo', '-p:PublishReadyToRun=false', '-p:SatelliteResourceLanguages=en')
    }
    Write-Step "Packing $archive"
    # xz packs this bundle about a quarter smaller than gzip (34 vs 46 MiB when measured).
    $env:XZ_OPT = '-6 -T0'
    Invoke-Native 'tar' @('-C', $PublishRoot, '-cJf', $archive, $BundleName)
    $folderBytes = (Get-ChildItem -Recurse -File $bundle | Measure-Object -Sum Length).Sum
    $archiveBytes = (Get-Item $archive).Length
    Write-Host "bundle folder: $(Format-MiB $folderBytes) ($folderBytes bytes) in $bundle"
    Write-Host "bundle archive: $(Format-MiB $archiveBytes) ($archiveBytes bytes) at $archive"
    if ($archiveBytes -gt $BundleLimitBytes) {
        throw "The bundle archive is $(Format-MiB $archiveBytes), over the $(Format-MiB $BundleLimitBytes) budget for what travels to the GPU machine."
    }
}

function Invoke-Clean {
    Write-Step 'Cleaning'
    $projectDirs = Get-ChildItem -Path (Join-Path $Root '*') -Include '*.csproj' -Recurse -File |
        Where-Object { $_.FullName -notmatch '[\\/](bin|obj|publish)[\\/]' } |
        ForEach-Object { $_.DirectoryName }
    $targets = @($projectDirs | ForEach-Object { Join-Path $_ 'bin'; Join-Path $_ 'obj' }) +
        @($PublishRoot, $TestResults, (Join-Path $Root 'BenchmarkDotNet.Artifacts'), (Join-Path $Root 'artifacts'))
    foreach ($path in $targets) {
        if (Test-Path $path) {
            Write-Host "removing $path"
            Remove-Item -Recurse -Force $path
        }
    }
}

Push-Location $Root
try {
    switch ($Task) {
        'build' { Invoke-Build }
        'test' { Invoke-Test }
        'demo' { Invoke-Demo }
        'bench' { Invoke-Bench }
        'publish' { Invoke-Publish }
        'clean' { Invoke-Clean }
    }
}
finally {
    Pop-Location
}
