; Inno Setup 6 script for the lr_desk installer on Windows.
; Built by packaging/build.py on a Windows build machine (after PyInstaller), or by hand:
;   iscc /DAppVersion=0.1.0 /DBundle=..\dist\lr-desk /O..\dist\installer lr_desk.iss
; Installs for the person running it, without administrator rights (in
; %LOCALAPPDATA%\Programs\lr_desk); IT may install for every account of the PC with
;   lr-desk-setup-VERSION.exe /ALLUSERS /VERYSILENT
; The desk's data (%LOCALAPPDATA%\MerseyCare\lr_desk of each account) is never
; installed, changed or removed by this installer or its uninstaller.
; Signing: build.py passes the command in %LR_DESK_SIGNTOOL% (e.g.
;   signtool sign /a /fd sha256 /tr http://timestamp.example /td sha256 $f
; with $f standing for the file) as the sign tool "lrdesk": the program, the installer
; and its uninstaller are signed.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#ifndef Bundle
  #define Bundle "..\dist\lr-desk"
#endif

[Setup]
; the same AppId for every version: a newer installer upgrades in place
AppId={{6F1C2B7E-4A0D-4C55-9B3E-2D8C1E5A7F40}
AppName=Life Rooms desk (lr_desk)
AppVersion={#AppVersion}
AppPublisher=Mersey Care NHS Foundation Trust
DefaultDirName={autopf}\lr_desk
DefaultGroupName=Life Rooms desk
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=commandline dialog
OutputBaseFilename=lr-desk-setup-{#AppVersion}
SetupIconFile={#Bundle}\_internal\lr-desk.ico
UninstallDisplayIcon={app}\lr-desk.exe
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
CloseApplications=yes
#ifdef SignTool
SignTool={#SignTool}
#endif

[InstallDelete]
; what an older version left in the program folder (never the data folder)
Type: filesandordirs; Name: "{app}\_internal"

[Files]
#ifdef SignTool
Source: "{#Bundle}\lr-desk.exe"; DestDir: "{app}"; Flags: ignoreversion sign
Source: "{#Bundle}\lr-desk-cli.exe"; DestDir: "{app}"; Flags: ignoreversion sign
Source: "{#Bundle}\*"; Excludes: "\lr-desk.exe,\lr-desk-cli.exe"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
#else
Source: "{#Bundle}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
#endif

[Icons]
Name: "{autoprograms}\Life Rooms desk"; Filename: "{app}\lr-desk.exe"; Comment: "The Life Rooms pathways desk"
Name: "{autoprograms}\Life Rooms desk (demo)"; Filename: "{app}\lr-desk.exe"; Parameters: "--demo"; Comment: "Practise on synthetic people"

[Run]
Filename: "{app}\lr-desk.exe"; Description: "Open the Life Rooms desk"; Flags: nowait postinstall skipifsilent
