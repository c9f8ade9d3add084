; Inno Setup 6 script: a per-user installer with a Chinese interface.
; Build on Windows after `make dist`:  iscc /DAppVersion=0.1.0 installer\windows\xindang.iss
; Silent install for IT staff:  XinDang-Setup-0.1.0.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART
; The vault and backups live outside the program folder (%LOCALAPPDATA%\XinDang) and are kept on
; uninstall unless the user ticks the box to remove them.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "心档 XinDang"
#define AppExe "xindang.exe"

[Setup]
AppId={{6B0E7E3A-8E7C-4C1B-9A57-3C2D5F0A7D11}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=XinDang
VersionInfoVersion={#AppVersion}
DefaultDirName={localappdata}\Programs\XinDang
DefaultGroupName=心档
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
DisableProgramGroupPage=yes
OutputDir=..\..\dist
OutputBaseFilename=XinDang-Setup-{#AppVersion}
SetupIconFile=..\..\resources\icons\xindang.ico
UninstallDisplayIcon={app}\{#AppExe}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ArchitecturesInstallIn64BitMode=x64compatible
ArchitecturesAllowed=x64compatible
ShowLanguageDialog=no

[Languages]
Name: "chs"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"

[Tasks]
Name: "desktopicon"; Description: "创建桌面快捷方式"; GroupDescription: "附加快捷方式："

[Files]
Source: "..\..\dist\xindang\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\心档"; Filename: "{app}\{#AppExe}"
Name: "{group}\心档自检"; Filename: "{app}\xindang-cli.exe"; Parameters: "--self-test"
Name: "{group}\卸载心档"; Filename: "{uninstallexe}"
Name: "{userdesktop}\心档"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "启动心档"; Flags: nowait postinstall skipifsilent

[Code]
var
  RemoveData: Boolean;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if CurUninstallStep = usUninstall then
  begin
    RemoveData := (not UninstallSilent) and
      (MsgBox('是否同时删除本机的心档档案库和设置？' + #13#10 +
              '默认保留。删除后无法恢复，请先确认已有经过验证的备份。',
              mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES);
  end;
  if (CurUninstallStep = usPostUninstall) and RemoveData then
  begin
    DelTree(ExpandConstant('{localappdata}\XinDang'), True, True, True);
  end;
end;
