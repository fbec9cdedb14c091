#!/bin/sh
# tests/ldap-seed.sh VAR: a throwaway OpenLDAP directory under VAR/ldap,
# made offline with slapadd (tests/stack.sh runs it once, then slapd):
#  - cn=config in VAR/ldap/slapd.d: back_mdb in VAR/ldap/db, the schemas
#    core, cosine, inetorgperson, and the ppolicy overlay with a default
#    policy (minimum length 8, the last 3 passwords refused, must change
#    after a reset by someone else, cleartext hashed on the way in so
#    the history holds hashes);
#  - the service account $LDAP_BIND_DN (password in VAR/ldap/bind.pw)
#    that may read everything and write passwords and pwdReset;
#  - 300 people in ou=Store 001 .. ou=Store 005 under ou=Stores, each
#    with uid, cn, mail (the UPN: pNNNN@onprem.example), mobile, title,
#    departmentNumber and the password in VAR/ldap/people.pw; their
#    list (mail, cn, store) in VAR/ldap/people.txt.
# Nothing outside VAR is written; the module and schema directories are
# Debian's, found here.
set -eu

VAR=$1
SUFFIX=${LDAP_SUFFIX:-dc=staffdesk,dc=test}
BIND_DN=${LDAP_BIND_DN:-cn=staffdesk,ou=Services,$SUFFIX}
STORES=${LDAP_STORES:-5}		# a bigger directory: LDAP_STORES=200
PER_STORE=${LDAP_PER_STORE:-60}	# LDAP_PER_STORE=500 (make bench, by hand)
D=$VAR/ldap

first_dir() {
	for d in "$@"; do
		[ -d "$d" ] && { echo "$d"; return 0; }
	done
	return 1
}
MODDIR=$(first_dir /usr/lib/ldap /usr/lib/x86_64-linux-gnu/ldap \
    /usr/lib64/openldap /usr/libexec/openldap) ||
    { echo "no OpenLDAP module directory (Debian package slapd)" >&2; exit 1; }
SCHEMADIR=$(first_dir /etc/ldap/schema /etc/openldap/schema) ||
    { echo "no OpenLDAP schema directory (Debian package slapd)" >&2; exit 1; }

rm -rf "$D"
mkdir -p "$D/slapd.d" "$D/db" "$VAR/run"
(umask 077 && head -c 18 /dev/urandom | base64 | tr -d '/+=\n' > "$D/bind.pw" &&
    head -c 18 /dev/urandom | base64 | tr -d '/+=\n' > "$D/root.pw")
(umask 077 && printf 'Directory-Seed-2026' > "$D/people.pw")
bindhash=$(slappasswd -T "$D/bind.pw")
roothash=$(slappasswd -T "$D/root.pw")
peoplehash=$(slappasswd -T "$D/people.pw")

{
	cat <<EOF
dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: $VAR/run/slapd.pid
olcArgsFile: $VAR/run/slapd.args

dn: cn=module{0},cn=config
objectClass: olcModuleList
cn: module{0}
olcModulePath: $MODDIR
olcModuleLoad: back_mdb
olcModuleLoad: ppolicy

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

EOF
	for s in core cosine inetorgperson; do
		cat "$SCHEMADIR/$s.ldif"
		echo
	done
	cat <<EOF
dn: olcDatabase={-1}frontend,cn=config
objectClass: olcDatabaseConfig
objectClass: olcFrontendConfig
olcDatabase: {-1}frontend
olcPasswordHash: {SSHA}

dn: olcDatabase={0}config,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {0}config
olcAccess: {0}to * by * none

dn: olcDatabase={1}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {1}mdb
olcSuffix: $SUFFIX
olcDbDirectory: $D/db
olcDbMaxSize: 1073741824
olcDbNoSync: TRUE
olcRootDN: cn=admin,$SUFFIX
olcRootPW: $roothash
olcDbIndex: objectClass eq
olcDbIndex: uid,mail eq
olcAccess: {0}to attrs=userPassword by dn.exact="$BIND_DN" write by self write by anonymous auth by * none
olcAccess: {1}to attrs=pwdReset by dn.exact="$BIND_DN" manage by * none
olcAccess: {2}to * by dn.exact="$BIND_DN" write by self read by * none
olcLimits: dn.exact="$BIND_DN" size.prtotal=unlimited size.soft=unlimited size.hard=unlimited

dn: olcOverlay={0}ppolicy,olcDatabase={1}mdb,cn=config
objectClass: olcOverlayConfig
objectClass: olcPPolicyConfig
olcOverlay: {0}ppolicy
olcPPolicyDefault: cn=default,ou=Policies,$SUFFIX
olcPPolicyHashCleartext: TRUE
olcPPolicyUseLockout: TRUE
EOF
} > "$D/config.ldif"
slapadd -n 0 -F "$D/slapd.d" -l "$D/config.ldif"

# The people: NNNN in 0001..0300, store (NNNN - 1) / 60 + 1. Entry 0007
# has a name that is DN and filter syntax (RFC 4514/4515 tests).
awk -v suffix="$SUFFIX" -v bind="$BIND_DN" -v bindhash="$bindhash" \
    -v hash="$peoplehash" -v stores=$STORES -v per=$PER_STORE \
    -v list="$D/people.txt" 'BEGIN {
	dc = suffix; sub(/^dc=/, "", dc); sub(/,.*/, "", dc)
	printf "dn: %s\nobjectClass: dcObject\nobjectClass: organization\n" \
	    "dc: %s\no: staffdesk test directory\n\n", suffix, dc
	printf "dn: ou=Services,%s\nobjectClass: organizationalUnit\n" \
	    "ou: Services\n\n", suffix
	split(bind, b, ","); cn = b[1]; sub(/^cn=/, "", cn)
	printf "dn: %s\nobjectClass: person\nobjectClass: simpleSecurityObject\n" \
	    "cn: %s\nsn: %s\nuserPassword: %s\n\n", bind, cn, cn, bindhash
	printf "dn: ou=Policies,%s\nobjectClass: organizationalUnit\n" \
	    "ou: Policies\n\n", suffix
	printf "dn: cn=default,ou=Policies,%s\nobjectClass: person\n" \
	    "objectClass: pwdPolicy\ncn: default\nsn: default\n" \
	    "pwdAttribute: userPassword\npwdMinLength: 8\n" \
	    "pwdCheckQuality: 2\npwdInHistory: 3\npwdMustChange: TRUE\n" \
	    "pwdAllowUserChange: TRUE\npwdLockout: FALSE\n\n", suffix
	printf "dn: ou=Stores,%s\nobjectClass: organizationalUnit\n" \
	    "ou: Stores\n\n", suffix
	split("Sales Associate,Cashier,Stock Clerk,Shift Lead,Store Manager", titles, ",")
	split("Sales,Front End,Inventory,Operations,Management", depts, ",")
	split("Anna,Ben,Chloe,David,Emma,Farid,Grace,Hugo,Ines,Jonas", given, ",")
	split("Smith,Lee,Garcia,Novak,Okafor,Berg,Rossi,Tanaka,Meyer,Silva", sur, ",")
	for (s = 1; s <= stores; s++) {
		ou = sprintf("Store %03d", s)
		printf "dn: ou=%s,ou=Stores,%s\nobjectClass: organizationalUnit\n" \
		    "ou: %s\n\n", ou, suffix, ou
		for (i = 1; i <= per; i++) {
			n = (s - 1) * per + i
			uid = sprintf("p%04d", n)
			gn = given[(n - 1) % 10 + 1]
			sn = sur[int((n - 1) / 10) % 10 + 1]
			cn = gn " " sn " " uid
			rdn = "uid=" uid
			if (n == 7) {
				gn = "J"; sn = "Smith"; cn = "Smith, J (*)"
			}
			printf "dn: %s,ou=%s,ou=Stores,%s\n", rdn, ou, suffix
			printf "objectClass: inetOrgPerson\nuid: %s\ncn: %s\n", uid, cn
			printf "givenName: %s\nsn: %s\ndisplayName: %s\n", gn, sn, cn
			printf "mail: %s@onprem.example\n", uid
			printf "mobile: +1425555%04d\n", n
			printf "title: %s\ndepartmentNumber: %s\n", \
			    titles[(n - 1) % 5 + 1], depts[(n - 1) % 5 + 1]
			printf "userPassword: %s\n\n", hash
			printf "%s@onprem.example\t%s\t%s\n", uid, cn, ou > list
		}
	}
}' > "$D/data.ldif"
slapadd -q -n 1 -F "$D/slapd.d" -l "$D/data.ldif"
echo "directory: $(grep -c . "$D/people.txt") people in $STORES stores"
