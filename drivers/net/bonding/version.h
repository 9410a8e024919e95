/* SPDX-License-Identifier: GPL-2.0 */
#ifndef BND_VERSION_H
#define BND_VERSION_H

/* Kept in step with PACKAGE_VERSION in dkms.conf (a build check compares them). */
#define BOND_KO_VERSION "0.1.0"

#endif
