# The Debian package (make package): settled and settle-admin in /usr/bin, the dashboard
# in /usr/share/settle/web, the config in /etc/settle, the systemd unit, and the
# maintainer scripts in packaging/. Its Depends are computed by dpkg-shlibdeps from the
# libraries settled links, so they follow whatever Debian's archive built it against.
#
# The paths below /etc and /lib are absolute: a package's config and units live there
# whatever the prefix (/usr) of its programs.
set(SETTLE_PACKAGING_DIR ${PROJECT_SOURCE_DIR}/packaging)

install(TARGETS settled RUNTIME DESTINATION bin)
install(PROGRAMS ${PROJECT_SOURCE_DIR}/tools/settle-admin DESTINATION bin)
# settle.ini's --http.web-root names this folder.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/web/ DESTINATION share/settle/web)
install(FILES ${PROJECT_SOURCE_DIR}/docs/OPERATIONS.md ${PROJECT_SOURCE_DIR}/config/keys.example
        DESTINATION share/doc/settle)
install(FILES ${SETTLE_PACKAGING_DIR}/settle.ini DESTINATION /etc/settle)
install(FILES ${SETTLE_PACKAGING_DIR}/settled.service DESTINATION /lib/systemd/system)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME settle)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "payment processor: a REST API over a double-entry ledger")
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR}/packages)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# The symbols stay in the build folder: the stripped binary is a tenth of the size.
set(CPACK_STRIP_FILES ON)

# settle_<version>_amd64.deb
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "Settle maintainers <settle@localhost>")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The long description, below the summary line (CPack indents its lines).
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "settled serves an HTTP API, a WebSocket stream of events and a live dashboard,
and commits every settled movement to SQLite or PostgreSQL before acknowledging it.
The package runs it as a systemd service (settled.service) under its own user,
with its ledger in /var/lib/settle and its config in /etc/settle.")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Added to what dpkg-shlibdeps finds: the postinst's useradd (passwd is not Essential).
set(CPACK_DEBIAN_PACKAGE_DEPENDS "passwd")
# settle-admin's requests to the node; making a key needs nothing but coreutils.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "curl")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "postgresql")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${SETTLE_PACKAGING_DIR}/postinst ${SETTLE_PACKAGING_DIR}/prerm
    ${SETTLE_PACKAGING_DIR}/postrm ${SETTLE_PACKAGING_DIR}/conffiles)
# Maintainer scripts 0755 and conffiles 0644 inside the package, whatever the checkout's modes.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

include(CPack)
