package tollgate

// SettingAdminPassword holds the admin console's password as an argon2id
// hash in a PHC-like string
// ("$argon2id$v=19$m=65536,t=2,p=2$salt$hash", base64 without padding);
// unset until an operator sets it (the setup link serve prints, or
// `tollgate console password`).
const SettingAdminPassword = "console_admin_password"
