// The browser's time zone (an IANA id such as "Europe/Rome"), so downloads can write times as the admin reads them.
export function timeZone() {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
}
