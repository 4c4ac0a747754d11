#!/usr/bin/env bash
# Installs PowerShell (the `PowerShell` dotnet tool) and Pester 5 into the project-local, git-ignored
# .tools/ folder, so that tests/powershell/run.sh can run the Pester suite against a real server.
#
#   .tools/pwsh/pwsh                                 PowerShell 7.6.9 (dotnet tool install --tool-path)
#   .tools/nuget/pester/<version>/tools/Pester.psd1  Pester 5 (NuGet package, fetched by a PackageDownload restore)
#   .tools/powershell.env                            marker: PWSH=... PESTER_PSD1=... (read by run.sh)
#
# Idempotent: an already installed tool or package is kept. Without dotnet it prints
# "skipping: no dotnet", writes the marker .tools/powershell.skipped and exits 0 (the ctest test then
# reports itself as skipped).
set -euo pipefail

PWSH_VERSION="${PWSH_VERSION:-7.6.9}"
PESTER_VERSION="${PESTER_VERSION:-5.7.1}"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
mkdir -p "$tools"

if ! command -v dotnet >/dev/null 2>&1; then
  echo "setup-powershell: skipping: no dotnet on PATH (the powershell ctest label will be skipped)"
  echo "no dotnet" >"$tools/powershell.skipped"
  exit 0
fi
rm -f "$tools/powershell.skipped"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# --- PowerShell as a dotnet tool ---------------------------------------------------------------------
pwsh="$tools/pwsh/pwsh"
have_version=""
if [[ -x "$pwsh" ]]; then
  have_version="$("$pwsh" -NoLogo -NoProfile -NonInteractive -Command '$PSVersionTable.PSVersion.ToString()' 2>/dev/null || true)"
fi
if [[ "$have_version" == "$PWSH_VERSION" ]]; then
  echo "setup-powershell: pwsh $have_version already installed at $pwsh"
else
  if [[ -n "$have_version" || -d "$tools/pwsh" ]]; then
    dotnet tool uninstall --tool-path "$tools/pwsh" PowerShell >/dev/null 2>&1 || true
  fi
  echo "setup-powershell: installing PowerShell $PWSH_VERSION (dotnet tool) into $tools/pwsh"
  dotnet tool install --tool-path "$tools/pwsh" PowerShell --version "$PWSH_VERSION"
fi
"$pwsh" -NoLogo -NoProfile -NonInteractive -Command '"pwsh " + $PSVersionTable.PSVersion.ToString()'

# --- Pester 5 from NuGet -------------------------------------------------------------------------------
nuget="$tools/nuget"
pester_psd1="$nuget/pester/$PESTER_VERSION/tools/Pester.psd1"
if [[ -f "$pester_psd1" ]]; then
  echo "setup-powershell: Pester $PESTER_VERSION already present"
else
  echo "setup-powershell: fetching Pester $PESTER_VERSION from NuGet into $nuget"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  cat >"$work/fetch-pester.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
  </PropertyGroup>
  <ItemGroup>
    <PackageDownload Include="Pester" Version="[$PESTER_VERSION]" />
  </ItemGroup>
</Project>
EOF
  dotnet restore "$work/fetch-pester.csproj" --packages "$nuget" --nologo -v quiet
fi
if [[ ! -f "$pester_psd1" ]]; then
  found="$(find "$nuget/pester/$PESTER_VERSION" -name Pester.psd1 2>/dev/null | head -n1 || true)"
  if [[ -z "$found" ]]; then
    echo "setup-powershell: Pester.psd1 not found under $nuget/pester/$PESTER_VERSION" >&2
    exit 1
  fi
  pester_psd1="$found"
fi
"$pwsh" -NoLogo -NoProfile -NonInteractive -Command \
  "Import-Module '$pester_psd1' -ErrorAction Stop; 'Pester ' + (Get-Module Pester).Version.ToString()"

cat >"$tools/powershell.env" <<EOF
PWSH=$pwsh
PESTER_PSD1=$pester_psd1
EOF
echo "setup-powershell: done (marker $tools/powershell.env)"
