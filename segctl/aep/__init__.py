"""segctl.aep"""
