"""segctl.render"""
