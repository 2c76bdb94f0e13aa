"""segctl.pql"""
