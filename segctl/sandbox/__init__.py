"""segctl.sandbox"""
