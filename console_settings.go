package tollgate

// SettingAdminPassword holds the admin console's password as an argon2id
// hash in a PHC-like string
// ("$argon2id$v=19$m=19456,t=2,p=1$salt$hash", base64 without padding);
// unset until an operator sets it (the setup link serve and dev print, or
// `tollgate console password`).
const SettingAdminPassword = "console_admin_password"

// SettingConsoleSessionsAfter is the prefix of the settings that, followed
// by an identity (an access key id, or "admin"), hold when that identity signed out of the console (RFC
// 3339 with nanoseconds): its sessions issued until then are refused.
const SettingConsoleSessionsAfter = "console_sessions_after:"
