#!/usr/bin/env bash
# Packs the dotnet-compress tool into artifacts/packages and installs (or updates) it as a global tool.
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet pack src/Compress.Tool -c Release -o artifacts/packages -nologo -clp:ErrorsOnly
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props)
dotnet tool uninstall --global Compress.Tool >/dev/null 2>&1 || true
dotnet tool install --global Compress.Tool --add-source artifacts/packages --version "$version"
