<#
.SYNOPSIS
  Writes the integrity sidecar for a built Craton HSM library (the FIPS guide's step 4).

.DESCRIPTION
  .\tools\compute-integrity-hmac.ps1 -LibPath target\release\craton_hsm.dll
  writes target\release\craton_hsm.hmac: the lowercase hex of HMAC-SHA256(key, library bytes)
  followed by one newline (LF), where the key is the published, non-secret 32 ASCII bytes
  'craton-hsm module integrity v1!!'. The sidecar is named after the library without its
  extension and sits next to it. Same output as tools/compute-integrity-hmac.sh.
  Run it after the last step that touches the DLL (signing with signtool rewrites the file:
  sign first, then compute the sidecar). Prints the sidecar's path.
  Works in Windows PowerShell 5.1 and PowerShell 7.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true, Position = 0)]
    [string]$LibPath
)
$ErrorActionPreference = 'Stop'

$lib = (Resolve-Path -LiteralPath $LibPath).ProviderPath
if (-not (Test-Path -LiteralPath $lib -PathType Leaf)) {
    throw "$LibPath is not a file"
}
$dir = [System.IO.Path]::GetDirectoryName($lib)
$stem = [System.IO.Path]::GetFileNameWithoutExtension($lib)
$out = [System.IO.Path]::Combine($dir, "$stem.hmac")

$key = [System.Text.Encoding]::ASCII.GetBytes('craton-hsm module integrity v1!!')
$hmac = New-Object System.Security.Cryptography.HMACSHA256 -ArgumentList (, $key)
try {
    $bytes = [System.IO.File]::ReadAllBytes($lib)
    $mac = $hmac.ComputeHash($bytes)
} finally {
    $hmac.Dispose()
}
$hex = -join ($mac | ForEach-Object { $_.ToString('x2') })

# Exactly "<hex>\n": no BOM, no CRLF, whatever the PowerShell version's defaults.
$tmp = "$out.tmp"
[System.IO.File]::WriteAllBytes($tmp, [System.Text.Encoding]::ASCII.GetBytes("$hex`n"))
Move-Item -LiteralPath $tmp -Destination $out -Force
Write-Output $out
