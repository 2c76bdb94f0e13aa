"""segctl.engine"""
